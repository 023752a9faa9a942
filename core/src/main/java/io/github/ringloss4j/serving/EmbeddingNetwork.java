package io.github.ringloss4j.serving;

import ai.djl.nn.Block;
import io.github.ringloss4j.backbone.Backbones;

/**
 * How to build an embedding network of one architecture, uninitialised, so that an export's
 * parameters can be read into it: the code a model directory needs but must never carry. Register
 * it under a name in {@link EmbeddingNetworks}, in code, on both sides: {@link
 * EmbeddingModels#export(ai.djl.nn.Block, String, int, Preprocessing, java.nio.file.Path,
 * EmbeddingNetworks) export} writes the name into {@value ServingConfig#FILE}, and {@link
 * EmbeddingModels#criteria(java.nio.file.Path, EmbeddingNetworks) criteria} builds the network with
 * the registered code.
 *
 * <pre>{@code
 * EmbeddingNetwork mine = (embeddingSize, input) -> new SequentialBlock()
 *     .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(16).build())
 *     .add(Activation::relu)
 *     .add(Blocks.batchFlattenBlock())
 *     .add(Linear.builder().setUnits(embeddingSize).build());
 * }</pre>
 */
@FunctionalInterface
public interface EmbeddingNetwork {

  /**
   * Builds a new network, each call a new block: the structure whose parameters, in order and
   * shape, are those of the trained network, mapping images [m, c, h, w] to embeddings [m, d].
   *
   * @param embeddingSize d, as given to {@code export}
   * @param input the image shape the network takes, as the export's {@link Preprocessing} records
   *     it
   * @return a new, uninitialised block
   * @throws IllegalArgumentException if the network cannot have that size or take that input
   */
  Block newBlock(int embeddingSize, Backbones.Input input);
}
