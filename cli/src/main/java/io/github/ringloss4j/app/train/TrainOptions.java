package io.github.ringloss4j.app.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.InstanceCreator;
import com.google.gson.JsonElement;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import io.github.ringloss4j.app.data.DataOptions;
import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.io.MayChangeOnResume;
import io.github.ringloss4j.app.model.HeadSpec;
import io.github.ringloss4j.app.model.ModelOptions;
import io.github.ringloss4j.app.model.OptimizerOptions;
import io.github.ringloss4j.app.model.PenaltySpec;
import io.github.ringloss4j.app.model.RadiusStart;
import io.github.ringloss4j.app.model.RingOptions;
import io.github.ringloss4j.app.model.SpecText;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * Every option of a training run, in five groups owned by the layers that use them: {@link
 * DataOptions} (data), {@link ModelOptions}, {@link RingOptions} and {@link OptimizerOptions}
 * (model) and {@link RunOptions} (this layer).
 *
 * <p>picocli fills the groups, as mixins of the {@code train} command or through {@link #parse};
 * each option's default is declared once, in its {@code @Option}, so {@link #defaults()} and {@code
 * --help} show the same values. Values are typed (enums, parsed specifications) and parsed once,
 * where the command line is read. Each checkpoint saves the options as JSON ({@link #toJson}), so
 * that {@code --resume}, {@code evaluate} and {@code embed} rebuild the same model and the report
 * can name what produced it; penalties, heads and R's start keep their command-line text there.
 */
public final class TrainOptions {

  @Mixin private DataOptions data;
  @Mixin private ModelOptions model;
  @Mixin private RingOptions ring;
  @Mixin private OptimizerOptions optimizer;
  @Mixin private RunOptions run;

  private static final Gson GSON =
      new GsonBuilder()
          .setPrettyPrinting()
          .serializeNulls()
          // Keeps '=' in "huber(delta=0.5)" as it is typed.
          .disableHtmlEscaping()
          .registerTypeHierarchyAdapter(Path.class, asText(s -> Path.of(s)))
          .registerTypeAdapter(PenaltySpec.class, asText(PenaltySpec::parse))
          .registerTypeAdapter(HeadSpec.class, asText(HeadSpec::parse))
          .registerTypeAdapter(RadiusStart.class, asText(RadiusStart::parse))
          .registerTypeAdapterFactory(new EnumsByName())
          // Options missing from a saved text take their defaults, so new options read old runs.
          .registerTypeAdapter(TrainOptions.class, defaultsOf(o -> o))
          .registerTypeAdapter(DataOptions.class, defaultsOf(TrainOptions::data))
          .registerTypeAdapter(ModelOptions.class, defaultsOf(TrainOptions::model))
          .registerTypeAdapter(RingOptions.class, defaultsOf(TrainOptions::ring))
          .registerTypeAdapter(OptimizerOptions.class, defaultsOf(TrainOptions::optimizer))
          .registerTypeAdapter(RunOptions.class, defaultsOf(TrainOptions::run))
          .create();

  /** For picocli and Gson, which fill the fields. */
  private TrainOptions() {}

  /**
   * Options from command-line arguments, the way {@code train} reads them: every option not given
   * takes its default, and a repeated option takes its last value, so callers can override a base
   * list.
   *
   * @param args training options, e.g. {@code --lambda 0.1 --epochs 2}
   * @return the validated options
   * @throws IllegalArgumentException naming the first bad option
   */
  public static TrainOptions parse(List<String> args) {
    TrainOptions options = new TrainOptions();
    try {
      new CommandLine(options)
          .setOverwrittenOptionsAllowed(true)
          .parseArgs(args.toArray(new String[0]));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    options.validate();
    return options;
  }

  /**
   * {@link #parse(List)} of an array.
   *
   * @param args training options
   * @return the validated options
   * @throws IllegalArgumentException naming the first bad option
   */
  public static TrainOptions parse(String... args) {
    return parse(List.of(args));
  }

  /**
   * The defaults, those {@code ringloss train} uses when no option is given.
   *
   * @return new options
   */
  public static TrainOptions defaults() {
    return parse();
  }

  /**
   * The data group.
   *
   * @return which data and how they are split
   */
  public DataOptions data() {
    return data;
  }

  /**
   * The network group.
   *
   * @return backbone, embedding size, head, center loss
   */
  public ModelOptions model() {
    return model;
  }

  /**
   * The ring group.
   *
   * @return λ, penalty, R's start and learning
   */
  public RingOptions ring() {
    return ring;
  }

  /**
   * The optimiser group.
   *
   * @return optimiser, learning rate, momentum, weight decay, schedule
   */
  public OptimizerOptions optimizer() {
    return optimizer;
  }

  /**
   * The run group.
   *
   * @return epochs, batch size, seed
   */
  public RunOptions run() {
    return run;
  }

  /**
   * Checks every group's ranges; picocli has already checked the types.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public void validate() {
    data.validate();
    model.validate();
    ring.validate();
    optimizer.validate();
    run.validate();
    inputNormalization();
  }

  /**
   * The run's input normalisation, per channel of its input ({@code --input-mean}, {@code
   * --input-std}): what the network is fed instead of {@code x / 255}.
   *
   * @return the normalisation; mean 0 and std 1 for runs that did not set it
   * @throws IllegalArgumentException naming the option whose count fits neither one value nor the
   *     run's {@code --channels}
   */
  public InputNormalization inputNormalization() {
    return model.inputNormalization(data.channels());
  }

  /**
   * A short label for reports: {@code softmax} or {@code softmax + ring (λ=0.01, squared)}.
   *
   * @return the label
   */
  public String method() {
    String base = model.head().text();
    if (model.centerLambda() > 0) {
      base += String.format(Locale.ROOT, " + center (λc=%s)", model.centerLambda());
    }
    return ring.lambda() == 0
        ? base
        : String.format(Locale.ROOT, "%s + ring (λ=%s, %s)", base, ring.lambda(), ring.penalty());
  }

  /**
   * The options as JSON, one object per group, for checkpoints and reports.
   *
   * @return the text, ending with a line break
   */
  public String toJson() {
    return GSON.toJson(this) + "\n";
  }

  /**
   * Reads options written by {@link #toJson}; a missing option takes its default.
   *
   * @param json the text
   * @return the validated options
   * @throws IOException if the text is not such JSON or holds a bad value
   */
  public static TrainOptions fromJson(String json) throws IOException {
    if (!json.strip().startsWith("{")) {
      throw new IOException(
          "training options are not JSON (a checkpoint of an earlier version of ringloss, which"
              + " saved a properties text); train it again with this version");
    }
    try {
      TrainOptions options = GSON.fromJson(json, TrainOptions.class);
      for (Object group : options.groups()) {
        Objects.requireNonNull(group, "an option group is null");
      }
      options.validate();
      return options;
    } catch (RuntimeException e) {
      throw new IOException("malformed training options: " + e.getMessage(), e);
    }
  }

  /**
   * The options of a resumed run: these (the checkpoint's), changed by the options given on the
   * command line that are marked {@link MayChangeOnResume}. Options not given keep the checkpoint's
   * values; a given option whose value equals the checkpoint's is accepted.
   *
   * @param given the options as parsed from the command line, defaults where none was given
   * @param commandLine which options were given
   * @return the options to train with
   * @throws IllegalArgumentException listing every given option that differs from the checkpoint
   *     and may not change on resume
   */
  public TrainOptions resumedWith(TrainOptions given, ParseResult commandLine) {
    TrainOptions resumed = GSON.fromJson(GSON.toJsonTree(this), TrainOptions.class);
    Object[] saved = groups();
    Object[] wanted = given.groups();
    Object[] target = resumed.groups();
    List<String> refused = new ArrayList<>();
    for (int g = 0; g < saved.length; g++) {
      for (Field field : saved[g].getClass().getDeclaredFields()) {
        Option option = field.getAnnotation(Option.class);
        if (option == null || !commandLine.hasMatchedOption(option.names()[0])) {
          continue;
        }
        Object was = get(field, saved[g]);
        Object now = get(field, wanted[g]);
        boolean mayChange = field.isAnnotationPresent(MayChangeOnResume.class);
        // (Options that may change are left out of their group's equality: set them.)
        if (sameValue(was, now) || (!mayChange && sameGroupWith(saved[g], field, now))) {
          // The saved value stays, as it was written: "l2" given for a saved "squared".
          continue;
        }
        if (mayChange) {
          set(field, target[g], now);
        } else {
          refused.add(difference(option.names()[0], commandLine, saved[g], field));
        }
      }
    }
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException(
          "--resume continues a run with the options saved in its checkpoint, and these differ: "
              + String.join(", ", refused)
              + ". Drop them to resume, or train into another --out.");
    }
    resumed.validate();
    return resumed;
  }

  /**
   * Whether a given option's value means the saved one, compared as parsed values: penalties and
   * heads by what they parse to ({@code l2} is {@code squared}), numbers by value ({@code 0.010} is
   * {@code 0.01}, {@code -0} is {@code 0}), paths normalised ({@code ./data} is {@code data}),
   * lists element by element.
   */
  static boolean sameValue(Object was, Object now) {
    if (Objects.equals(was, now)) {
      return true;
    }
    if (was instanceof SpecText a && now instanceof SpecText b) {
      return a.sameValue(b);
    }
    if (was instanceof Double a && now instanceof Double b) {
      return a.doubleValue() == b.doubleValue();
    }
    if (was instanceof Path a && now instanceof Path b) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
    if (was instanceof List<?> a && now instanceof List<?> b && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Whether a group with {@code field} set to {@code value} equals it as it is: the groups' own
   * equality knows which spellings mean one run ({@code --exclude-classes 3,1} is {@code 1,3}).
   */
  private static boolean sameGroupWith(Object group, Field field, Object value) {
    Object copy = GSON.fromJson(GSON.toJsonTree(group), group.getClass());
    set(field, copy, value);
    return copy.equals(group);
  }

  /** {@code --lambda 0.5 (checkpoint: 0.1)}: the value as typed and as saved. */
  private static String difference(
      String option, ParseResult commandLine, Object savedGroup, Field field) {
    List<String> typed = commandLine.matchedOption(option).stringValues();
    JsonElement saved = GSON.toJsonTree(savedGroup).getAsJsonObject().get(field.getName());
    return (option + " " + String.join(" ", typed)).strip()
        + " (checkpoint: "
        + (saved.isJsonNull() ? "none" : typedForm(saved))
        + ")";
  }

  /** A saved value as it would be typed: a list (such as --val's files) comma-separated. */
  private static String typedForm(JsonElement saved) {
    if (!saved.isJsonArray()) {
      return saved.getAsString();
    }
    List<String> items = new ArrayList<>();
    saved.getAsJsonArray().forEach(item -> items.add(item.getAsString()));
    return String.join(",", items);
  }

  private Object[] groups() {
    return new Object[] {data, model, ring, optimizer, run};
  }

  private static Object get(Field field, Object group) {
    try {
      field.setAccessible(true);
      return field.get(group);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void set(Field field, Object group, Object value) {
    try {
      field.setAccessible(true);
      field.set(group, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainOptions t
        && data.equals(t.data)
        && model.equals(t.model)
        && ring.equals(t.ring)
        && optimizer.equals(t.optimizer)
        && run.equals(t.run);
  }

  @Override
  public int hashCode() {
    return Objects.hash(data, model, ring, optimizer, run);
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** Saves a value as its text and reads it back with its parser. */
  private static <T> TypeAdapter<T> asText(Function<String, T> parser) {
    return new TypeAdapter<T>() {
      @Override
      public void write(JsonWriter out, T value) throws IOException {
        out.value(value.toString());
      }

      @Override
      public T read(JsonReader in) throws IOException {
        return parser.apply(in.nextString());
      }
    }.nullSafe();
  }

  /** Creates a group (or all options) at its defaults, before Gson sets the saved values. */
  private static <T> InstanceCreator<T> defaultsOf(Function<TrainOptions, T> group) {
    return type -> group.apply(defaults());
  }

  /** Saves an enum by its command-line name ({@code sgd}, {@code cosine}, …). */
  private static final class EnumsByName implements TypeAdapterFactory {
    @Override
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
      Class<? super T> raw = type.getRawType();
      if (!raw.isEnum()) {
        return null;
      }
      Map<String, T> byName = new LinkedHashMap<>();
      for (Object constant : raw.getEnumConstants()) {
        @SuppressWarnings("unchecked")
        T value = (T) constant;
        byName.put(constant.toString(), value);
      }
      return new TypeAdapter<T>() {
        @Override
        public void write(JsonWriter out, T value) throws IOException {
          out.value(value.toString());
        }

        @Override
        public T read(JsonReader in) throws IOException {
          String name = in.nextString();
          T value = byName.get(name);
          if (value == null) {
            throw new IOException(
                "'" + name + "' is not a " + raw.getSimpleName() + "; valid: " + byName.keySet());
          }
          return value;
        }
      }.nullSafe();
    }
  }
}
