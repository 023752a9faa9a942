package io.github.ringloss4j.serving;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Creates the {@link EmbeddingTranslator} of an exported model from its {@value ServingConfig#FILE}
 * arguments ({@link ServingConfig#fromArguments}), so that the model directory alone decides the
 * preprocessing.
 *
 * <p>{@link EmbeddingModels#criteria} hands DJL an instance of this class. DJL could also create it
 * by the name {@value ServingConfig#FILE} records (through {@code DeferredTranslatorFactory}), but
 * that path creates any class a file names, so the library never takes it.
 */
public final class EmbeddingTranslatorFactory implements TranslatorFactory {

  /** The networks the file may name. */
  private final EmbeddingNetworks networks;

  /** Creates the factory for the built-in networks; DJL instantiates it by class name. */
  public EmbeddingTranslatorFactory() {
    this(EmbeddingNetworks.builtIn());
  }

  /**
   * Creates the factory for the given networks.
   *
   * @param networks the networks the file may name
   */
  EmbeddingTranslatorFactory(EmbeddingNetworks networks) {
    this.networks = networks;
  }

  /**
   * The one pair this factory serves.
   *
   * @return {(Image, float[])}
   */
  @Override
  public Set<Pair<Type, Type>> getSupportedTypes() {
    return Set.of(new Pair<>(Image.class, float[].class));
  }

  /**
   * Creates the translator.
   *
   * @param input {@code Image.class}
   * @param output {@code float[].class}
   * @param model the loaded model, whose directory names the file in messages
   * @param arguments the model's arguments
   * @return an {@link EmbeddingTranslator}
   * @throws IllegalArgumentException for another input or output type, or naming the file and key
   *     when an argument is missing or invalid
   */
  @Override
  @SuppressWarnings("unchecked")
  public <I, O> Translator<I, O> newInstance(
      Class<I> input, Class<O> output, Model model, Map<String, ?> arguments) {
    if (!isSupported(input, output)) {
      throw new IllegalArgumentException(
          "an embedding model translates Image to float[], not "
              + input.getName()
              + " to "
              + output.getName());
    }
    Path dir = model.getModelPath();
    Path file = dir == null ? Path.of(ServingConfig.FILE) : dir.resolve(ServingConfig.FILE);
    ServingConfig config = ServingConfig.fromArguments(arguments, file, networks);
    return (Translator<I, O>) new EmbeddingTranslator(config.preprocessing());
  }
}
