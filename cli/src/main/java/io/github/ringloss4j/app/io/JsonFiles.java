package io.github.ringloss4j.app.io;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonIOException;
import com.google.gson.JsonParseException;
import com.google.gson.JsonSyntaxException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.annotations.SerializedName;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.Reader;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The application's JSON files ({@code evaluation.json}, {@code metrics.json}): records written and
 * read with one configured {@link Gson}.
 *
 * <p>Conventions, the same for every file:
 *
 * <ul>
 *   <li>Keys are the record components in {@code snake_case} ({@code normMean} → {@code
 *       norm_mean}), in component order, unless a component carries {@link SerializedName}.
 *   <li>A {@code double} that is NaN or infinite is written as {@code null} (JSON has no NaN; Gson
 *       throws on it by default and its lenient mode writes invalid JSON) and {@code null} is read
 *       back as NaN, so an infinity comes back as NaN.
 *   <li>Every component of a record is required: a missing key is an error naming the file, the key
 *       and where in the document it was expected, never a silent 0. A {@code null} is only
 *       accepted for {@code double} components (as NaN); unknown keys are ignored, so that older
 *       readers accept newer files.
 *   <li>Types are exact: a number is never read from a string ({@code "128"}) nor a string from a
 *       number, an integer component takes only an integer literal ({@code 128}, not {@code 128.0}
 *       or {@code 1e2}) within its range, and a key that appears twice in one object is refused
 *       (Gson would take the last value).
 *   <li>Reading is strict JSON, of a file of at most {@value #MAX_BYTES} bytes (a UTF-8 byte-order
 *       mark at its start is dropped); writing is pretty-printed UTF-8 without HTML escaping (a
 *       command line keeps its {@code =} and {@code <}), ends with a newline and goes through
 *       {@link AtomicFiles}, so a reader never sees half a file.
 * </ul>
 */
public final class JsonFiles {

  private static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .registerTypeAdapter(double.class, new NonFiniteAsNull())
          .registerTypeAdapter(Double.class, new NonFiniteAsNull())
          .registerTypeAdapter(int.class, new ExactInteger<>(Integer::parseInt))
          .registerTypeAdapter(Integer.class, new ExactInteger<>(Integer::parseInt))
          .registerTypeAdapter(long.class, new ExactInteger<>(Long::parseLong))
          .registerTypeAdapter(Long.class, new ExactInteger<>(Long::parseLong))
          .registerTypeAdapter(boolean.class, new ExactBoolean())
          .registerTypeAdapter(Boolean.class, new ExactBoolean())
          .registerTypeAdapter(String.class, new ExactString())
          .registerTypeAdapterFactory(new RequiredComponents())
          .serializeNulls()
          .setStrictness(Strictness.STRICT)
          .disableHtmlEscaping()
          .setPrettyPrinting()
          .create();

  /** The largest file {@link #read} takes, in bytes. */
  public static final long MAX_BYTES = 64L << 20;

  private JsonFiles() {}

  /**
   * Marks a {@code List} component of a record that files written before it existed lack: a missing
   * key reads as an empty list, so that those files stay readable, while an explicit {@code null}
   * is still refused. Only lists take it, because an empty list is the one default that cannot be
   * mistaken for a value (a missing number read as 0 could).
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD})
  public @interface EmptyWhenAbsent {}

  /**
   * Marks a {@code double} component that counts something files written before it existed did not
   * have at all, such as a loss term a newer head adds: a missing key reads as 0, which is then the
   * true value (those runs had none of it), while an explicit {@code null} is still refused. Not
   * for a measurement that old files merely did not record: that would read as a value it never
   * had.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD})
  public @interface ZeroWhenAbsent {}

  /**
   * Marks a {@code String} component that names a kind which every file written before it existed
   * was (a gallery's index, {@code exact} before there was another): a missing key reads as {@link
   * #value}, which is then the true value, as {@link ZeroWhenAbsent} for counts, while an explicit
   * {@code null} is still refused.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD})
  public @interface KindWhenAbsent {
    /**
     * The kind of the files written before the component existed.
     *
     * @return the value a missing key reads as
     */
    String value();
  }

  /**
   * The JSON text of a value, as {@link #write} puts it in a file.
   *
   * @param value a record, an array or list of records, or any value Gson serialises
   * @return the text, ending with a newline
   * @throws IllegalArgumentException if a record component other than a {@code double} is null
   */
  public static String toJson(Object value) {
    Objects.requireNonNull(value, "value");
    return GSON.toJson(value) + "\n";
  }

  /**
   * Atomically replaces {@code file} with the JSON text of {@code value}.
   *
   * @param file the file to create or replace
   * @param value a record, an array or list of records, or any value Gson serialises
   * @throws IOException if writing fails; an existing file is then unchanged
   * @throws IllegalArgumentException if a record component other than a {@code double} is null;
   *     nothing is written then
   */
  public static void write(Path file, Object value) throws IOException {
    AtomicFiles.writeString(file, toJson(value));
  }

  /**
   * Reads a file written by {@link #write}.
   *
   * @param file the file
   * @param type the record (or array of records) it holds
   * @param <T> the type
   * @return the value
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws DataFormatException naming the file when it is empty, is not JSON, or lacks a field
   * @throws IOException if the file cannot be read
   */
  public static <T> T read(Path file, Class<T> type) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new DataFormatException(
          file, size + " bytes, more than the " + MAX_BYTES + " of any JSON file this reads");
    }
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      reader.mark(1);
      if (reader.read() != '\uFEFF') {
        reader.reset();
      }
      return parse(file, reader, type);
    } catch (CharacterCodingException e) {
      // from the first char, read here for the byte-order mark
      throw new DataFormatException(file, "not UTF-8 text", e);
    }
  }

  /**
   * Reads JSON text that {@link #toJson} wrote and that stands for a file (a copy kept elsewhere),
   * as {@link #read(Path, Class)} reads the file.
   *
   * @param file the file the text stands for, named in messages
   * @param text the text, at most {@value #MAX_BYTES} characters
   * @param type the record (or array of records) it holds
   * @param <T> the type
   * @return the value
   * @throws DataFormatException naming the file when the text is empty, is not JSON, or lacks a
   *     field
   * @throws IOException never for a string, as {@link #read(Path, Class)} otherwise
   */
  public static <T> T read(Path file, String text, Class<T> type) throws IOException {
    if (text.length() > MAX_BYTES) {
      throw new DataFormatException(
          file, text.length() + " characters, more than the " + MAX_BYTES + " this reads");
    }
    return parse(file, new java.io.StringReader(text), type);
  }

  private static <T> T parse(Path file, Reader reader, Class<T> type) throws IOException {
    T value;
    try {
      value = GSON.fromJson(reader, type);
    } catch (JsonIOException e) {
      if (e.getCause() instanceof CharacterCodingException) {
        throw new DataFormatException(file, problem(e), e);
      }
      throw new IOException(file + ": " + problem(e), e);
    } catch (JsonParseException e) {
      throw new DataFormatException(file, problem(e), e);
    }
    if (value == null) {
      throw new DataFormatException(
          file, "empty, expected a JSON " + (type.isArray() ? "array" : "object"));
    }
    return value;
  }

  /**
   * What is wrong, on one line: the reader's own message (Gson wraps it as "class: message"),
   * without Gson's troubleshooting link on a second line and its advice to read leniently.
   */
  private static String problem(JsonParseException e) {
    Throwable cause = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
    if (e.getCause() instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    String message = cause.getMessage() == null ? "not valid JSON" : cause.getMessage();
    return message
        .lines()
        .findFirst()
        .orElse(message)
        .replaceFirst(
            "Use JsonReader\\.setStrictness\\(.*?\\) to accept malformed JSON", "malformed JSON");
  }

  /** {@code double}s with NaN and infinities as {@code null}, and {@code null} as NaN. */
  private static final class NonFiniteAsNull extends TypeAdapter<Double> {
    @Override
    public void write(JsonWriter out, Double value) throws IOException {
      if (value == null || !Double.isFinite(value)) {
        out.nullValue();
      } else {
        out.value(value.doubleValue());
      }
    }

    @Override
    public Double read(JsonReader in) throws IOException {
      JsonToken token = in.peek();
      if (token == JsonToken.NULL) {
        in.nextNull();
        return Double.NaN;
      }
      if (token != JsonToken.NUMBER) {
        throw new JsonSyntaxException(
            "expected a number or null but found " + token + " at " + in.getPath());
      }
      return in.nextDouble();
    }
  }

  /** Integers from integer literals only, never from strings, fractions or exponents. */
  private static final class ExactInteger<N extends Number> extends TypeAdapter<N> {
    private final Function<String, N> parse;

    ExactInteger(Function<String, N> parse) {
      this.parse = parse;
    }

    @Override
    public void write(JsonWriter out, N value) throws IOException {
      out.value(value);
    }

    @Override
    public N read(JsonReader in) throws IOException {
      JsonToken token = in.peek();
      if (token == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      String where = in.getPath();
      if (token != JsonToken.NUMBER) {
        throw new JsonSyntaxException("expected an integer but found " + token + " at " + where);
      }
      String literal = in.nextString();
      try {
        return parse.apply(literal);
      } catch (NumberFormatException e) {
        throw new JsonSyntaxException(
            "expected an integer in range but found " + clip(literal) + " at " + where);
      }
    }
  }

  /** Booleans from {@code true} and {@code false} only. */
  private static final class ExactBoolean extends TypeAdapter<Boolean> {
    @Override
    public void write(JsonWriter out, Boolean value) throws IOException {
      out.value(value);
    }

    @Override
    public Boolean read(JsonReader in) throws IOException {
      JsonToken token = in.peek();
      if (token == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      if (token != JsonToken.BOOLEAN) {
        throw new JsonSyntaxException(
            "expected true or false but found " + token + " at " + in.getPath());
      }
      return in.nextBoolean();
    }
  }

  /** Strings from string literals only, never from numbers or booleans. */
  private static final class ExactString extends TypeAdapter<String> {
    @Override
    public void write(JsonWriter out, String value) throws IOException {
      out.value(value);
    }

    @Override
    public String read(JsonReader in) throws IOException {
      JsonToken token = in.peek();
      if (token == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      if (token != JsonToken.STRING) {
        throw new JsonSyntaxException(
            "expected a string but found " + token + " at " + in.getPath());
      }
      return in.nextString();
    }
  }

  private static String clip(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }

  /**
   * Records with every component required: Gson's own record support hands a missing {@code double}
   * to the constructor as 0.0, indistinguishable from a real 0.
   */
  private static final class RequiredComponents implements TypeAdapterFactory {
    @Override
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
      Class<? super T> raw = type.getRawType();
      if (!raw.isRecord()) {
        return null;
      }
      @SuppressWarnings("unchecked")
      TypeAdapter<T> adapter = (TypeAdapter<T>) new RecordAdapter<>(gson, raw);
      return adapter;
    }
  }

  /** Writes and reads one record type component by component. */
  private static final class RecordAdapter<R> extends TypeAdapter<R> {
    private final Class<R> type;
    private final RecordComponent[] components;
    private final Method[] accessors;
    private final String[] keys;
    private final TypeAdapter<?>[] adapters;
    private final boolean[] emptyWhenAbsent;
    private final boolean[] zeroWhenAbsent;
    private final String[] kindWhenAbsent;
    private final Map<String, Integer> byKey = new HashMap<>();
    private final Constructor<R> constructor;

    RecordAdapter(Gson gson, Class<R> type) {
      this.type = type;
      this.components = type.getRecordComponents();
      this.accessors = new Method[components.length];
      this.keys = new String[components.length];
      this.adapters = new TypeAdapter<?>[components.length];
      this.emptyWhenAbsent = new boolean[components.length];
      this.zeroWhenAbsent = new boolean[components.length];
      this.kindWhenAbsent = new String[components.length];
      Class<?>[] parameterTypes = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        RecordComponent c = components[i];
        keys[i] = key(gson, type, c);
        accessors[i] = c.getAccessor();
        // A record need not be public, nor in this package, to be written.
        accessors[i].setAccessible(true);
        adapters[i] = gson.getAdapter(TypeToken.get(c.getGenericType()));
        parameterTypes[i] = c.getType();
        byKey.put(keys[i], i);
        emptyWhenAbsent[i] = c.isAnnotationPresent(EmptyWhenAbsent.class);
        if (emptyWhenAbsent[i] && c.getType() != List.class) {
          throw new IllegalStateException(
              type.getSimpleName() + "." + c.getName() + " is @EmptyWhenAbsent but not a List");
        }
        KindWhenAbsent kind = c.getAnnotation(KindWhenAbsent.class);
        kindWhenAbsent[i] = kind == null ? null : kind.value();
        if (kind != null && c.getType() != String.class) {
          throw new IllegalStateException(
              type.getSimpleName() + "." + c.getName() + " is @KindWhenAbsent but not a String");
        }
        zeroWhenAbsent[i] = c.isAnnotationPresent(ZeroWhenAbsent.class);
        if (zeroWhenAbsent[i] && c.getType() != double.class) {
          throw new IllegalStateException(
              type.getSimpleName() + "." + c.getName() + " is @ZeroWhenAbsent but not a double");
        }
      }
      try {
        constructor = type.getDeclaredConstructor(parameterTypes);
        constructor.setAccessible(true);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(type + " has no canonical constructor", e);
      }
    }

    private static String key(Gson gson, Class<?> type, RecordComponent component) {
      try {
        // The record's private field carries the component's annotations and name.
        var field = type.getDeclaredField(component.getName());
        SerializedName name = field.getAnnotation(SerializedName.class);
        return name != null ? name.value() : gson.fieldNamingStrategy().translateName(field);
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(type + " has no field for " + component.getName(), e);
      }
    }

    private static boolean isDouble(Class<?> c) {
      return c == double.class || c == Double.class;
    }

    @Override
    public void write(JsonWriter out, R value) throws IOException {
      if (value == null) {
        out.nullValue();
        return;
      }
      out.beginObject();
      for (int i = 0; i < components.length; i++) {
        Object v;
        try {
          v = accessors[i].invoke(value);
        } catch (IllegalAccessException | InvocationTargetException e) {
          throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + keys[i], e);
        }
        if (v == null && !isDouble(components[i].getType())) {
          // Written as null it could not be read back: only doubles may be null (NaN).
          throw new IllegalArgumentException(
              type.getSimpleName() + "." + components[i].getName() + " is null");
        }
        out.name(keys[i]);
        writeValue(out, i, v);
      }
      out.endObject();
    }

    @SuppressWarnings("unchecked")
    private void writeValue(JsonWriter out, int i, Object v) throws IOException {
      ((TypeAdapter<Object>) adapters[i]).write(out, v);
    }

    @Override
    public R read(JsonReader in) throws IOException {
      if (in.peek() == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      String where = in.getPath();
      Object[] values = new Object[components.length];
      boolean[] present = new boolean[components.length];
      in.beginObject();
      while (in.hasNext()) {
        Integer i = byKey.get(in.nextName());
        if (i == null) {
          in.skipValue();
          continue;
        }
        if (present[i]) {
          throw new JsonSyntaxException(
              "duplicated key '" + keys[i] + "' at " + in.getPath() + ": each key appears once");
        }
        values[i] = adapters[i].read(in);
        present[i] = true;
        if (values[i] == null) {
          throw new JsonSyntaxException(
              "field '" + keys[i] + "' is null at " + in.getPreviousPath() + ", expected a value");
        }
      }
      in.endObject();
      for (int i = 0; i < components.length; i++) {
        if (!present[i] && emptyWhenAbsent[i]) {
          values[i] = List.of();
        } else if (!present[i] && zeroWhenAbsent[i]) {
          values[i] = 0.0;
        } else if (!present[i] && kindWhenAbsent[i] != null) {
          values[i] = kindWhenAbsent[i];
        } else if (!present[i]) {
          throw new JsonSyntaxException(
              "missing field '" + keys[i] + "' in the object at " + where);
        }
      }
      try {
        return constructor.newInstance(values);
      } catch (InvocationTargetException e) {
        // The record's own validation rejected the values.
        throw new JsonSyntaxException(
            "the object at "
                + where
                + " is not a valid "
                + type.getSimpleName()
                + ": "
                + e.getCause().getMessage(),
            e.getCause());
      } catch (InstantiationException | IllegalAccessException e) {
        throw new IllegalStateException("cannot create " + type, e);
      }
    }
  }
}
