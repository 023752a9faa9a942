/**
 * Serving a trained embedding network with DJL alone: {@link
 * io.github.ringloss4j.serving.EmbeddingModels#export} writes a standard DJL model directory (the
 * embedding network's {@code .params} and a {@code serving.properties}); DJL's {@code Criteria}
 * loads it through {@link io.github.ringloss4j.serving.EmbeddingBlockFactory} (which rebuilds the
 * network by {@link io.github.ringloss4j.backbone.Backbones} name) and {@link
 * io.github.ringloss4j.serving.EmbeddingTranslatorFactory} (whose {@link
 * io.github.ringloss4j.serving.EmbeddingTranslator} turns an {@code Image} into a {@code float[]}
 * embedding with the preprocessing the file records, {@link
 * io.github.ringloss4j.serving.Preprocessing}, stored as {@link
 * io.github.ringloss4j.serving.ServingConfig}).
 *
 * <pre>{@code
 * Criteria<Image, float[]> criteria = Criteria.builder().setTypes(Image.class, float[].class)
 *     .optModelPath(Paths.get("exported"))
 *     .optTranslatorFactory(new DeferredTranslatorFactory()).build();
 * try (ZooModel<Image, float[]> model = criteria.loadModel();
 *      Predictor<Image, float[]> predictor = model.newPredictor()) {
 *   float[] embedding = predictor.predict(ImageFactory.getInstance().fromFile(Paths.get("face.jpg")));
 * }
 * }</pre>
 *
 * <p>The image steps ({@link io.github.ringloss4j.serving.ImagePixels}) are the application's, so a
 * served network sees the tensors it was trained on.
 */
package io.github.ringloss4j.serving;
