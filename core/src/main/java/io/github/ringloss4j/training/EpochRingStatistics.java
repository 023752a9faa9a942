package io.github.ringloss4j.training;

/**
 * The ring's state at the end of an epoch.
 *
 * @param epoch the 0-based epoch
 * @param radius R at the end of the epoch, NaN when λ = 0 (no loss trains R)
 * @param trainMeanNorm the mean ‖f‖ over the epoch's training batches
 * @param trainStdNorm the standard deviation of ‖f‖ over the training batches
 * @param validationMeanNorm the mean ‖f‖ over the validation batches, NaN without validation
 * @param validationStdNorm the standard deviation of ‖f‖ over the validation batches, or NaN
 */
public record EpochRingStatistics(
    int epoch,
    double radius,
    double trainMeanNorm,
    double trainStdNorm,
    double validationMeanNorm,
    double validationStdNorm) {}
