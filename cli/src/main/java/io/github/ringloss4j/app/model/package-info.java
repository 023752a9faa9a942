/**
 * Model assembly: the backbones {@code --model} names ({@link
 * io.github.ringloss4j.app.model.Backbone}, built by the core library's {@link
 * io.github.ringloss4j.backbone.Backbones}), and {@link
 * io.github.ringloss4j.app.model.ModelFactory}, which builds the ring model, its loss and its
 * optimiser from the option groups this layer owns — {@link
 * io.github.ringloss4j.app.model.ModelOptions} (network), {@link
 * io.github.ringloss4j.app.model.RingOptions} (ring term) and {@link
 * io.github.ringloss4j.app.model.OptimizerOptions} (optimiser and schedule) — with their closed
 * sets as enums and their parsed specifications ({@link
 * io.github.ringloss4j.app.model.PenaltySpec}, {@link io.github.ringloss4j.app.model.HeadSpec},
 * {@link io.github.ringloss4j.app.model.RadiusStart}).
 *
 * <p>Layer: may import only {@code data} and {@code io} (and the core library, DJL, picocli, Gson);
 * {@code train}, {@code eval}, {@code report} and the commands build on it.
 */
package io.github.ringloss4j.app.model;
