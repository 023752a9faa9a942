/**
 * Classification heads the Ring-loss paper compares with, for {@link
 * io.github.ringloss4j.nn.RingModelBlock}: {@link io.github.ringloss4j.head.L2SoftmaxHead}, {@link
 * io.github.ringloss4j.head.NormFaceHead}, {@link io.github.ringloss4j.head.CosFaceHead}, {@link
 * io.github.ringloss4j.head.ArcFaceHead}, {@link io.github.ringloss4j.head.SphereFaceHead}, center
 * loss ({@link io.github.ringloss4j.head.CenterLossBlock} with {@link
 * io.github.ringloss4j.head.CenterLoss}), and {@link io.github.ringloss4j.head.Heads} to build them
 * by name.
 *
 * <p>Two heads take each feature's norm as a quality signal. {@link
 * io.github.ringloss4j.head.MagFaceHead} (MagFace, CVPR 2021) gives ArcFace a margin that grows
 * with ‖x‖ and comes with a regulariser on ‖x‖ that the loss adds ({@link
 * io.github.ringloss4j.loss.MagFaceRegularizer}). {@link io.github.ringloss4j.head.AdaFaceHead}
 * (AdaFace, CVPR 2022) moves its margin between angular and additive with ‖x‖ relative to running
 * statistics of the batches' norms, which it keeps as untrained parameters, so checkpoints carry
 * them.
 *
 * <p>Every head maps features [m, d] to logits [m, classes] for softmax cross-entropy. Margin heads
 * apply their margin only when the labels come with the forward pass ({@code forward(store, data,
 * labels, params)}, what DJL's {@code Trainer.forward(data, labels)} and RingModelBlock do in
 * training); without labels (inference, validation) they return the margin-free logits. In training
 * they also return the margin-free logits as a second output, {@value
 * io.github.ringloss4j.head.HeadAccuracy#PLAIN_LOGITS}, from which {@link
 * io.github.ringloss4j.head.HeadAccuracy} computes the training accuracy (DJL's {@code Accuracy}
 * would take the argmax of the margin logits and undercount).
 */
package io.github.ringloss4j.head;
