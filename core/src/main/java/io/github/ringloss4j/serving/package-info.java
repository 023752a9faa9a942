/**
 * Serving a trained embedding network with DJL alone: {@link
 * io.github.ringloss4j.serving.EmbeddingModels#export} writes a standard DJL model directory (the
 * embedding network's {@code .params} and a {@code serving.properties}); {@link
 * io.github.ringloss4j.serving.EmbeddingModels#criteria} checks it as untrusted data ({@link
 * io.github.ringloss4j.serving.ModelDirectory}) and gives DJL's {@code Criteria} the factories that
 * load it: {@link io.github.ringloss4j.serving.EmbeddingBlockFactory} (which rebuilds the network
 * by name: a built-in {@link io.github.ringloss4j.backbone.Backbones} one, or a network of one's
 * own registered in code in {@link io.github.ringloss4j.serving.EmbeddingNetworks} and passed to
 * both {@code export} and {@code criteria}) and {@link
 * io.github.ringloss4j.serving.EmbeddingTranslatorFactory} (whose {@link
 * io.github.ringloss4j.serving.EmbeddingTranslator} turns an {@code Image} into a {@code float[]}
 * embedding with the preprocessing the file records, {@link
 * io.github.ringloss4j.serving.Preprocessing}, stored as {@link
 * io.github.ringloss4j.serving.ServingConfig}).
 *
 * <pre>{@code
 * Criteria<Image, float[]> criteria = EmbeddingModels.criteria(Paths.get("exported"));
 * try (ZooModel<Image, float[]> model = criteria.loadModel();
 *      Predictor<Image, float[]> predictor = model.newPredictor()) {
 *   float[] embedding = predictor.predict(ImageFactory.getInstance().fromFile(Paths.get("face.jpg")));
 * }
 * }</pre>
 *
 * <p>The image steps are the application's own code, so a served network sees the tensors it was
 * trained on.
 */
package io.github.ringloss4j.serving;
