package io.github.ringloss4j.spark;

import io.github.ringloss4j.app.recordio.PackedImage;
import io.github.ringloss4j.app.recordio.RecordFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Reads one range of a packed data set's records into {@link Corpus#IMAGES} rows: the partition is
 * a range of record numbers ({@code spark.range}), the set is opened once per partition with the
 * application's reader ({@link RecordFile}, which checks the index and each record's framing) and
 * the records are read one at a time as they are asked for. A record that cannot be read becomes a
 * row with its error. The set must be readable at the same path on every executor (shared storage).
 */
final class PackedRecords implements MapPartitionsFunction<Long, Row> {

  private static final long serialVersionUID = 1L;

  private final String dataset;

  PackedRecords(String dataset) {
    this.dataset = dataset;
  }

  @Override
  public Iterator<Row> call(Iterator<Long> items) throws Exception {
    if (!items.hasNext()) {
      return List.<Row>of().iterator();
    }
    RecordFile file = RecordFile.open(Paths.get(dataset));
    List<String> names = file.classNames();
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener(
          (org.apache.spark.util.TaskCompletionListener) context -> closeQuietly(file));
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = items.hasNext();
        if (!more) {
          closeQuietly(file);
        }
        return more;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int item = Math.toIntExact(items.next());
        String source = file.sourceOf(item);
        try {
          PackedImage image = file.read(item);
          int label = image.label();
          String name =
              label >= 0 && label < names.size() ? names.get(label) : Integer.toString(label);
          return RowFactory.create(source, name, image.image(), null);
        } catch (IOException e) {
          return RowFactory.create(source, null, null, e.getMessage());
        }
      }
    };
  }

  private static void closeQuietly(RecordFile file) {
    try {
      file.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
