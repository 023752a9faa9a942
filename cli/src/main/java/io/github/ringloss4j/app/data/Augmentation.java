package io.github.ringloss4j.app.data;

import java.util.Random;

/**
 * The randomness of one epoch's augmentation (random crop and flip): each sample's generator is
 * derived from the run's seed, the epoch and the sample's position in the epoch's order, so a
 * sample is augmented the same way whichever worker thread reads it and in whatever order the
 * workers finish, and a resumed run replays exactly the augmentation of an uninterrupted one.
 *
 * @param seed the run's seed
 * @param epoch the 1-based epoch
 */
public record Augmentation(long seed, int epoch) {

  /**
   * A new generator for the sample at a position of the epoch's order.
   *
   * @param position the sample's 0-based position in the epoch
   * @return a generator that no other (seed, epoch, position) shares
   */
  public Random random(long position) {
    return new Random(Seeds.mix(Seeds.mix(seed, epoch), position));
  }
}
