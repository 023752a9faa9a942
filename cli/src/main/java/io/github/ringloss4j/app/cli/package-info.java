/**
 * The commands of the {@code ringloss} application ({@link
 * io.github.ringloss4j.app.cli.RingLossCli} and its subcommands) and the options only they have
 * ({@link io.github.ringloss4j.app.cli.RuntimeOptions}). The top layer: it may import every other
 * package; none imports it. Training options are declared by the layers that use them and gathered
 * in {@link io.github.ringloss4j.app.train.TrainOptions}, which {@code train} takes as a mixin.
 */
package io.github.ringloss4j.app.cli;
