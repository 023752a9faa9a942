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
 *
 * <h2>TorchScript</h2>
 *
 * <p>A network that is none of the built-in or registered ones serves too, traced with PyTorch:
 * {@link io.github.ringloss4j.serving.EmbeddingModels#importTorchScript} checks the traced file
 * (one forward pass on zeros must give one float32 [1, d] array) and writes a model directory
 * holding it as {@code embedding.pt}, with the same {@code serving.properties} keys and the network
 * name {@value io.github.ringloss4j.serving.EmbeddingNetworks#TORCHSCRIPT}. It loads through the
 * same {@code criteria} call, with the same translator (preprocessing, flip-sum, L2), given a
 * registry that opts in:
 *
 * <pre>{@code
 * EmbeddingModels.importTorchScript(Paths.get("model.pt"), preprocessing, Paths.get("served"));
 * Criteria<Image, float[]> criteria =
 *     EmbeddingModels.criteria(Paths.get("served"), EmbeddingNetworks.builtIn().withTorchScript());
 * }</pre>
 *
 * <p><b>What the opt-in trusts, and why it is not the default.</b> An export's parameters are data:
 * the network that reads them is this library's code or code the caller registered. A TorchScript
 * file is code: libtorch deserialises it and its interpreter runs its program on every prediction
 * (and once at import), inside the serving process, and the program may call any operator libtorch
 * registers, including ones that read and write files. Opting in trusts that file as {@code
 * torch.jit.load} would; nothing in Java can sandbox it. By default a directory naming {@value
 * io.github.ringloss4j.serving.EmbeddingNetworks#TORCHSCRIPT} is refused, with a message saying how
 * to opt in, so that a service that loads exported directories from elsewhere never starts running
 * programs because a directory asked it to. Everything else stays checked with the opt-in as
 * without it: no code entries ({@code classes/}, jars), no class named by the directory, every key
 * required and valid, and no mixture of a {@code .pt} with {@code .params}.
 */
package io.github.ringloss4j.serving;
