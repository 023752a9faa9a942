package io.github.ringloss4j.app.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}, for writing bodies passed to {@link
 * AtomicFiles#write}.
 *
 * @param <T> the type of the consumed value
 */
@FunctionalInterface
public interface IoConsumer<T> {

  /**
   * Consumes the value.
   *
   * @param t the value
   * @throws IOException if writing fails
   */
  void accept(T t) throws IOException;
}
