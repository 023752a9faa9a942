package io.github.ringloss4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * Ring loss on any embedding network: the network, an optional classification head and a {@link
 * RingLossBlock} on the embedding, as one block that DJL's {@code Trainer} trains end to end.
 *
 * <pre>{@code
 * RingModelBlock net = RingModelBlock.of(myEmbedding, Linear.builder().setUnits(classes).build());
 * }</pre>
 *
 * <p>The forward pass returns named outputs (see {@link RingOutputs}): {@code logits} (only with a
 * head, and first, so that DJL's {@code Accuracy} evaluator reads them), {@code embedding} f,
 * {@code ring_penalties} ρ(‖f_i‖ − R) and {@code feature_norms} ‖f_i‖. Losses, listeners and the
 * divergence guard find them by name. Given labels (DJL's {@code Trainer.forward(data, labels)}),
 * the head receives them through its own {@code forward(store, data, labels, params)}, which margin
 * heads (CosFace, ArcFace, …) need; a plain linear head ignores them. Without a head the model
 * trains the embedding with losses that read it directly (for example center loss plus ring).
 *
 * <p><b>Deploy {@link #getEmbedding()}, not this block.</b> This block is the training graph:
 * validation passes compute the logits over every class and the ring's penalties and norms. The
 * embedding network alone is the model a service runs; its parameters are this block's {@code
 * embedding} child.
 */
public final class RingModelBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private final Block embedding;
  private final Block head;
  private final RingLossBlock ring;

  private RingModelBlock(Builder builder) {
    super(VERSION);
    this.embedding = addChildBlock("embedding", builder.embedding);
    this.head = builder.head == null ? null : addChildBlock("head", builder.head);
    this.ring = addChildBlock("ring", builder.ring);
  }

  /**
   * An embedding network with a classification head and a ring of the paper's defaults (squared
   * penalty, λ = 0.01, R learned from the first batch's mean norm).
   *
   * @param embedding the network that maps inputs to features of shape [m, d]
   * @param head the classifier on the features, producing logits [m, classes]
   * @return the model
   * @throws NullPointerException when the head is null; {@link #of(Block)} builds a model without
   *     one
   */
  public static RingModelBlock of(Block embedding, Block head) {
    Objects.requireNonNull(
        head,
        "head is null: pass a classification head (e.g. Linear.builder().setUnits(classes).build()),"
            + " or call RingModelBlock.of(embedding) for a model without a head");
    return builder().setEmbedding(embedding).optHead(head).build();
  }

  /**
   * An embedding network with a ring of the paper's defaults and no head, for losses that read the
   * embedding itself.
   *
   * @param embedding the network that maps inputs to features of shape [m, d]
   * @return the model
   */
  public static RingModelBlock of(Block embedding) {
    return builder().setEmbedding(embedding).build();
  }

  /**
   * A builder: {@link Builder#setEmbedding} is required, the head and the ring optional.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The embedding network: the part to deploy.
   *
   * @return the embedding block
   */
  public Block getEmbedding() {
    return embedding;
  }

  /**
   * The classification head.
   *
   * @return the head, or null for a model without one
   */
  public Block getHead() {
    return head;
  }

  /**
   * The ring block, which owns R and λ.
   *
   * @return the ring
   */
  public RingLossBlock getRing() {
    return ring;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray features = embedding.forward(parameterStore, inputs, training, params).head();
    NDList headOut =
        head == null
            ? new NDList()
            : head.forward(parameterStore, new NDList(features), training, params);
    return outputs(parameterStore, headOut, features, training, params);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDArray features = embedding.forward(parameterStore, data, true, params).head();
    NDList headOut =
        head == null
            ? new NDList()
            : head.forward(parameterStore, new NDList(features), labels, params);
    return outputs(parameterStore, headOut, features, true, params);
  }

  /**
   * The outputs: the head's first output as the logits (none when it returns nothing, as a
   * centres-only head), the embedding, the ring's penalties and norms, then any further output of
   * the head that carries a name (a sampled head's remapped labels, for example); unnamed extra
   * outputs are dropped.
   */
  private NDList outputs(
      ParameterStore parameterStore,
      NDList headOut,
      NDArray features,
      boolean training,
      PairList<String, Object> params) {
    NDList ringOut = ring.forward(parameterStore, new NDList(features), training, params);
    NDList out = new NDList(4 + Math.max(0, headOut.size() - 1));
    if (!headOut.isEmpty()) {
      out.add(RingOutputs.named(headOut.head(), RingOutputs.LOGITS));
    }
    out.add(RingOutputs.named(features, RingOutputs.EMBEDDING));
    out.addAll(ringOut);
    for (int i = 1; i < headOut.size(); i++) {
      if (headOut.get(i).getName() != null) {
        out.add(headOut.get(i));
      }
    }
    return out;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape features = embedding.getOutputShapes(inputShapes)[0];
    Shape[] ringShapes = ring.getOutputShapes(new Shape[] {features});
    if (head == null) {
      return new Shape[] {features, ringShapes[0], ringShapes[1]};
    }
    Shape[] headShapes = head.getOutputShapes(new Shape[] {features});
    if (headShapes.length == 0) {
      return new Shape[] {features, ringShapes[0], ringShapes[1]};
    }
    return new Shape[] {headShapes[0], features, ringShapes[0], ringShapes[1]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    embedding.initialize(manager, dataType, inputShapes);
    Shape features = embedding.getOutputShapes(inputShapes)[0];
    if (head != null) {
      head.initialize(manager, dataType, features);
    }
    ring.initialize(manager, dataType, features);
  }

  @Override
  public String toString() {
    return "RingModelBlock(embedding="
        + embedding.getClass().getSimpleName()
        + ", head="
        + (head == null ? "none" : head.getClass().getSimpleName())
        + ", "
        + ring
        + ")";
  }

  /** Builds a {@link RingModelBlock}. */
  public static final class Builder {
    private Block embedding;
    private Block head;
    private RingLossBlock ring;

    private Builder() {}

    /**
     * Sets the embedding network (required).
     *
     * @param embedding a block mapping inputs to features [m, d]; its first output is used
     * @return this builder
     */
    public Builder setEmbedding(Block embedding) {
      this.embedding = embedding;
      return this;
    }

    /**
     * Sets the classification head.
     *
     * @param head a block mapping features [m, d] to logits [m, classes]; default none
     * @return this builder
     */
    public Builder optHead(Block head) {
      this.head = head;
      return this;
    }

    /**
     * Sets the ring.
     *
     * @param ring the ring block; default {@code RingLossBlock.builder().build()}
     * @return this builder
     */
    public Builder optRing(RingLossBlock ring) {
      this.ring = ring;
      return this;
    }

    /**
     * Builds the model.
     *
     * @return the model
     * @throws IllegalArgumentException without an embedding network
     */
    public RingModelBlock build() {
      if (embedding == null) {
        throw new IllegalArgumentException(
            "RingModelBlock needs an embedding network: call setEmbedding(block)");
      }
      if (ring == null) {
        ring = RingLossBlock.builder().build();
      }
      return new RingModelBlock(this);
    }
  }
}
