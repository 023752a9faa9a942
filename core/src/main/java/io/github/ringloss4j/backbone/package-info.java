/**
 * Face-recognition backbones as DJL blocks, laid out exactly as InsightFace's arcface_torch
 * references so that parameter counts (and weight shapes) match: {@link
 * io.github.ringloss4j.backbone.IResNet} (depth 18, 34, 50, 100) and {@link
 * io.github.ringloss4j.backbone.MobileFaceNet} ({@code get_mbf}), both {@link
 * io.github.ringloss4j.backbone.Backbone}s mapping aligned faces [N, 3, 112, 112] to embeddings [N,
 * d], and the per-channel {@link io.github.ringloss4j.backbone.PerChannelPrelu} they use, since
 * DJL's {@code Prelu} does not run on the PyTorch engine.
 *
 * <p>A backbone is the embedding network of a {@link io.github.ringloss4j.nn.RingModelBlock}.
 */
package io.github.ringloss4j.backbone;
