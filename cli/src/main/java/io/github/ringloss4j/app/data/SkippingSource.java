package io.github.ringloss4j.app.data;

import io.github.ringloss4j.app.io.DataFormatException;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training source under {@code --skip-bad-images}: an image that passed the header pre-check
 * ({@link ImageHeaders}) but still fails to decode (a JPEG damaged inside, with its header and
 * ending intact) is left out of its batch instead of stopping the run. The failure is logged with
 * the image's file or record and counted; the {@link BatchReader} then gives its place in the batch
 * to another image of the same batch, so the batch keeps its size.
 *
 * <p>Only {@link DataFormatException}s (a malformed image, named by its file or record) are
 * skipped; an I/O failure (a disk error, a file that vanished) still stops the run.
 */
public final class SkippingSource extends ForwardingSource {

  private static final Logger LOG = LoggerFactory.getLogger(SkippingSource.class);

  /** What the reader gets for an image that was left out. */
  static final class Skipped extends IOException {
    private static final long serialVersionUID = 1L;

    Skipped(DataFormatException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final AtomicInteger skipped = new AtomicInteger();

  private SkippingSource(LabelledSource source) {
    super(source);
  }

  /**
   * The source itself, or with {@code skip} the source that leaves undecodable images out.
   *
   * @param source the images
   * @param skip whether {@code --skip-bad-images} is given
   * @return the source to train on
   */
  public static LabelledSource of(LabelledSource source, boolean skip) {
    return skip ? new SkippingSource(source) : source;
  }

  /**
   * How many reads were left out so far.
   *
   * @return the count (an image that fails in every epoch counts once per epoch)
   */
  public int skipped() {
    return skipped.get();
  }

  @Override
  public void read(int index, float[] destination, int offset, Random augmentation)
      throws IOException {
    try {
      source.read(index, destination, offset, augmentation);
    } catch (DataFormatException e) {
      LOG.warn(
          "--skip-bad-images: leaving out an image that does not decode ({} so far): {}",
          skipped.incrementAndGet(),
          e.getMessage());
      throw new Skipped(e);
    }
  }
}
