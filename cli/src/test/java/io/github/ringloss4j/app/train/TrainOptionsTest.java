package io.github.ringloss4j.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ringloss4j.app.data.InputNormalization;
import io.github.ringloss4j.app.io.MayChangeOnResume;
import io.github.ringloss4j.app.model.Backbone;
import io.github.ringloss4j.app.model.ModelFactory;
import io.github.ringloss4j.app.model.OptimizerKind;
import io.github.ringloss4j.app.model.Schedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParseResult;

class TrainOptionsTest {

  /** Every option set away from its default. */
  private static final String[] EVERY_OPTION = {
    "--data",
    "/tmp/faces",
    "--image-size",
    "112",
    "--channels",
    "3",
    "--validation-fraction",
    "0.2",
    "--augment",
    "--train-limit",
    "500",
    "--exclude-classes",
    "3,1",
    "--workers",
    "3",
    "--prefetch",
    "4",
    "--model",
    "resnet",
    "--embedding-size",
    "64",
    "--input-mean",
    "0.485,0.456,0.406",
    "--input-std",
    "0.229,0.224,0.225",
    "--head",
    "arcface(s=30,m=0.5)",
    "--center-lambda",
    "0.01",
    "--lambda",
    "0.5",
    "--penalty",
    "huber(delta=0.5)",
    "--radius-init",
    "2.5",
    "--freeze-radius",
    "--radius-lr-mult",
    "3",
    "--optimizer",
    "adam",
    "--lr",
    "0.001",
    "--momentum",
    "0.5",
    "--weight-decay",
    "0",
    "--schedule",
    "step",
    "--epochs",
    "7",
    "--batch-size",
    "32",
    "--seed",
    "9"
  };

  @Test
  void defaultsAreThoseOfTheCommandLine() {
    TrainOptions o = TrainOptions.defaults();
    assertNull(o.data().directory());
    assertEquals(28, o.data().imageSize());
    assertEquals(1, o.data().channels());
    assertEquals(0.1, o.data().validationFraction());
    assertFalse(o.data().augment());
    assertEquals(0, o.data().trainLimit());
    assertEquals(java.util.List.of(), o.data().excludedClasses());
    assertEquals(
        new io.github.ringloss4j.app.data.BatchReader.Settings(
            io.github.ringloss4j.app.data.BatchReader.Settings.defaultWorkers(), 2),
        o.data().reading());
    assertEquals(Backbone.CNN, o.model().backbone());
    assertEquals(128, o.model().embeddingSize());
    assertEquals("softmax", o.model().head().text());
    assertEquals(0, o.model().centerLambda());
    assertEquals(0.01, o.ring().lambda());
    assertEquals("squared", o.ring().penalty().text());
    assertEquals("first-batch", o.ring().radiusInit().text());
    assertFalse(o.ring().radiusFrozen());
    assertEquals(OptionalDouble.empty(), o.ring().radiusLrMultiplier());
    assertEquals(OptimizerKind.SGD, o.optimizer().kind());
    assertEquals(0.01, o.optimizer().learningRate());
    assertEquals(0.9, o.optimizer().momentum());
    assertEquals(5e-4, o.optimizer().weightDecay());
    assertEquals(Schedule.COSINE, o.optimizer().schedule());
    assertEquals(3, o.run().epochs());
    assertEquals(128, o.run().batchSize());
    assertEquals(42, o.run().seed());
    assertEquals("softmax + ring (λ=0.01, squared)", o.method());
  }

  @Test
  void everyOptionIsParsedTyped() {
    TrainOptions o = TrainOptions.parse(EVERY_OPTION);
    assertEquals(Path.of("/tmp/faces"), o.data().directory());
    assertTrue(o.data().augment());
    assertEquals(java.util.List.of(1, 3), o.data().excludedClasses());
    assertEquals(new io.github.ringloss4j.app.data.BatchReader.Settings(3, 4), o.data().reading());
    assertEquals(Backbone.RESNET, o.model().backbone());
    assertEquals("huber(delta=0.5)", o.ring().penalty().text());
    assertEquals(OptionalDouble.of(3), o.ring().radiusLrMultiplier());
    assertTrue(o.ring().radiusFrozen());
    assertEquals(OptimizerKind.ADAM, o.optimizer().kind());
    assertEquals(Schedule.STEP, o.optimizer().schedule());
    assertEquals(7, o.run().epochs());
    assertEquals(9, o.run().seed());
    assertEquals(
        "arcface(s=30,m=0.5) + center (λc=0.01) + ring (λ=0.5, huber(delta=0.5))", o.method());
    assertEquals(
        new InputNormalization(
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}),
        o.inputNormalization());
  }

  @Test
  void optionsSurviveTheirJson() throws IOException {
    for (TrainOptions o :
        new TrainOptions[] {TrainOptions.defaults(), TrainOptions.parse(EVERY_OPTION)}) {
      String json = o.toJson();
      assertEquals(o, TrainOptions.fromJson(json), json);
      assertEquals(json, TrainOptions.fromJson(json).toJson());
    }
    assertNotEquals(TrainOptions.defaults(), TrainOptions.parse(EVERY_OPTION));
  }

  @Test
  void jsonReadsLikeTheCommandLine() {
    String json = TrainOptions.parse(EVERY_OPTION).toJson();
    for (String expected :
        new String[] {
          "\"penalty\": \"huber(delta=0.5)\"",
          "\"head\": \"arcface(s=30,m=0.5)\"",
          "\"radiusInit\": \"2.5\"",
          "\"backbone\": \"resnet\"",
          "\"kind\": \"adam\"",
          "\"schedule\": \"step\"",
          "\"directory\": \"/tmp/faces\""
        }) {
      assertTrue(json.contains(expected), expected + " in " + json);
    }
    String defaults = TrainOptions.defaults().toJson();
    assertTrue(defaults.contains("\"radiusLrMultiplier\": \"auto\""), defaults);
    assertTrue(defaults.contains("\"directory\": null"), defaults);
  }

  @Test
  void everyEnumValueSurvivesItsJson() throws IOException {
    for (Backbone b : Backbone.values()) {
      TrainOptions o = TrainOptions.parse("--model", b.toString());
      assertEquals(b, TrainOptions.fromJson(o.toJson()).model().backbone());
    }
    for (OptimizerKind k : OptimizerKind.values()) {
      TrainOptions o = TrainOptions.parse("--optimizer", k.toString());
      assertEquals(k, TrainOptions.fromJson(o.toJson()).optimizer().kind());
    }
    for (Schedule s : Schedule.values()) {
      TrainOptions o = TrainOptions.parse("--schedule", s.toString());
      assertEquals(s, TrainOptions.fromJson(o.toJson()).optimizer().schedule());
    }
    for (Progress.Mode m : Progress.Mode.values()) {
      assertEquals(m.name().toLowerCase(java.util.Locale.ROOT), m.toString());
    }
  }

  @Test
  void missingOptionsTakeTheirDefaults() throws IOException {
    TrainOptions o = TrainOptions.fromJson("{\"ring\": {\"lambda\": 0.5}, \"run\": {}}");
    assertEquals(0.5, o.ring().lambda());
    assertEquals(TrainOptions.parse("--lambda", "0.5"), o);
  }

  @Test
  void badSavedOptionsAreIoErrors() {
    IOException old =
        assertThrows(IOException.class, () -> TrainOptions.fromJson("lambda=0.01\nmodel=cnn\n"));
    assertTrue(old.getMessage().contains("not JSON"), old.getMessage());
    IOException penalty =
        assertThrows(
            IOException.class,
            () -> TrainOptions.fromJson("{\"ring\": {\"penalty\": \"hubert\"}}"));
    assertTrue(penalty.getMessage().contains("hubert"), penalty.getMessage());
    IOException optimizer =
        assertThrows(
            IOException.class, () -> TrainOptions.fromJson("{\"optimizer\": {\"kind\": \"x\"}}"));
    assertTrue(optimizer.getMessage().contains("[sgd, adam]"), optimizer.getMessage());
    IOException range =
        assertThrows(IOException.class, () -> TrainOptions.fromJson("{\"run\": {\"epochs\": 0}}"));
    assertTrue(range.getMessage().contains("--epochs must be >= 1"), range.getMessage());
  }

  @Test
  void rangesAreCheckedNamingTheOption() {
    for (String[] bad :
        new String[][] {
          {"--lr", "-1", "--lr must be finite and > 0"},
          {"--lambda", "-1", "--lambda must be finite and >= 0"},
          {"--momentum", "1", "--momentum must be in [0, 1)"},
          {"--channels", "2", "--channels must be 1 or 3"},
          {"--validation-fraction", "1", "--validation-fraction must be in [0, 1)"},
          {"--batch-size", "1", "--batch-size must be >= 2"},
          {"--workers", "0", "--workers must be >= 1"},
          {"--prefetch", "0", "--prefetch must be in [1, 64]"},
          {"--prefetch", "100000", "--prefetch must be in [1, 64]"},
          {"--image-size", "100000", "--image-size must be in [8, 4096]"},
          {"--radius-lr-mult", "0", "--radius-lr-mult must be a number > 0 or auto"},
          {"--penalty", "huber(delta=-1)", "--penalty"},
          {"--optimizer", "sgdx", "--optimizer"},
          {"--val-every", "-1", "--val-every must be >= 0"},
          {"--val-every", "100", "--val-every must be 0 without --val"}
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> TrainOptions.parse(bad[0], bad[1]));
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
    }
  }

  /** Every floating-point option, found by reflection so that a new one cannot be missed. */
  @Test
  void nonFiniteValuesAreRefusedNamingTheOption() {
    TrainOptions defaults = TrainOptions.defaults();
    List<String> checked = new java.util.ArrayList<>();
    for (Object group :
        List.of(
            defaults.data(),
            defaults.model(),
            defaults.ring(),
            defaults.optimizer(),
            defaults.run())) {
      for (java.lang.reflect.Field field : group.getClass().getDeclaredFields()) {
        picocli.CommandLine.Option option = field.getAnnotation(picocli.CommandLine.Option.class);
        Class<?> type = field.getType();
        if (option == null
            || !(type == double.class
                || type == Double.class
                || type == float.class
                || type == Float.class)) {
          continue;
        }
        String name = option.names()[0];
        checked.add(name);
        for (String value : List.of("NaN", "Infinity", "-Infinity")) {
          IllegalArgumentException e =
              assertThrows(
                  IllegalArgumentException.class,
                  () -> TrainOptions.parse(name, value),
                  name + " " + value);
          assertTrue(e.getMessage().startsWith(name), e.getMessage());
        }
      }
    }
    assertTrue(checked.containsAll(List.of("--lr", "--weight-decay", "--lambda")), "" + checked);
    IllegalArgumentException radius =
        assertThrows(
            IllegalArgumentException.class, () -> TrainOptions.parse("--radius-init", "Infinity"));
    assertTrue(radius.getMessage().contains("--radius-init"), radius.getMessage());
  }

  @Test
  void workersAreBoundedByTheCores() {
    int cores = Runtime.getRuntime().availableProcessors();
    TrainOptions many = TrainOptions.parse("--workers", Integer.toString(10_000));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> many.data().reading());
    assertTrue(e.getMessage().startsWith("--workers must be at most"), e.getMessage());
    assertEquals(
        4 * cores,
        TrainOptions.parse("--workers", Integer.toString(4 * cores)).data().reading().workers());
  }

  @Test
  void resumeComparesParsedValuesNotTheirText() {
    TrainOptions saved =
        TrainOptions.parse(
            "--penalty",
            "squared",
            "--lr",
            "0.01",
            "--radius-init",
            "1",
            "--head",
            "arcface",
            "--data",
            "/tmp/faces",
            "--lambda",
            "0",
            "--exclude-classes",
            "3,1");
    TrainOptions same =
        resume(
            saved,
            "--penalty",
            "l2",
            "--lr",
            "0.010",
            "--radius-init",
            "1.0",
            "--head",
            "ArcFace",
            "--data",
            "/tmp/./faces/",
            "--lambda",
            "-0",
            "--exclude-classes",
            "1,3,3");
    assertEquals(saved, same);
    assertEquals("squared", same.ring().penalty().text(), "the saved text stays");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resume(saved, "--penalty", "huber"));
    assertTrue(e.getMessage().contains("--penalty huber (checkpoint: squared)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> resume(saved, "--head", "arcface(m=0.4)"));
    assertThrows(IllegalArgumentException.class, () -> resume(saved, "--exclude-classes", "1"));
  }

  /** The multiplier the library chooses for the model these options build. */
  private static double multiplier(TrainOptions o, boolean adaptive) {
    return ModelFactory.block(o.model(), o.ring(), 3)
        .getRing()
        .getRadiusLearningRateMultiplier(adaptive);
  }

  @Test
  void autoRadiusMultiplierIsTheLibrarysOneOverLambdaWithSgdAndOneWithAdam() {
    assertEquals(1 / 0.01, multiplier(TrainOptions.defaults(), false), 1e-12);
    assertEquals(1, multiplier(TrainOptions.defaults(), true));
    assertEquals(1, multiplier(TrainOptions.parse("--lambda", "0"), false));
    assertEquals(3, multiplier(TrainOptions.parse("--radius-lr-mult", "3"), false));
    assertTrue(
        TrainOptions.parse("--radius-lr-mult", "auto").ring().radiusLrMultiplier().isEmpty());
  }

  /** The {@code train} command's view of the options, for parse results. */
  @Command(name = "train")
  static final class Given {
    @Mixin TrainOptions options;
  }

  private static Given given(String... args) {
    Given g = new Given();
    ParseResult unused = new CommandLine(g).parseArgs(args);
    return g;
  }

  private static TrainOptions resume(TrainOptions saved, String... args) {
    Given g = new Given();
    ParseResult result = new CommandLine(g).parseArgs(args);
    return saved.resumedWith(g.options, result);
  }

  @Test
  void resumeKeepsTheSavedOptionsAndAcceptsThoseThatMayChange() {
    TrainOptions saved = TrainOptions.parse("--lambda", "0.1", "--epochs", "2", "--seed", "5");
    assertEquals(saved, resume(saved));
    assertEquals(saved, resume(saved, "--lambda", "0.1", "--seed", "5"), "same values given");
    TrainOptions more = resume(saved, "--epochs", "4", "--lambda", "0.10");
    assertEquals(4, more.run().epochs());
    assertEquals(0.1, more.ring().lambda());
    assertEquals(5, more.run().seed());
    assertEquals(2, saved.run().epochs(), "the checkpoint's options are not changed");
    TrainOptions faster = resume(saved, "--workers", "3", "--prefetch", "5");
    assertEquals(
        new io.github.ringloss4j.app.data.BatchReader.Settings(3, 5), faster.data().reading());
    assertEquals(saved, faster, "the reading speed does not make another run");
    assertTrue(given().options.equals(TrainOptions.defaults()));
  }

  @Test
  void resumeRefusesChangedOptionsAndListsThem() {
    TrainOptions saved = TrainOptions.parse("--lambda", "0.1");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> resume(saved, "--lambda", "0.5", "--penalty", "huber", "--epochs", "5"));
    assertTrue(e.getMessage().contains("--lambda 0.5 (checkpoint: 0.1)"), e.getMessage());
    assertTrue(e.getMessage().contains("--penalty huber (checkpoint: squared)"), e.getMessage());
    assertFalse(e.getMessage().contains("--epochs"), e.getMessage());
    IllegalArgumentException auto =
        assertThrows(IllegalArgumentException.class, () -> resume(saved, "--radius-lr-mult", "2"));
    assertTrue(auto.getMessage().contains("(checkpoint: auto)"), auto.getMessage());
  }

  @Test
  void theValidationSetsAreSavedAndOnlyTheirCadenceMayChangeOnResume() throws Exception {
    TrainOptions saved =
        TrainOptions.parse("--val", "sets/lfw.bin,sets/cfp_fp.bin", "--val-every", "100");
    TrainOptions back = TrainOptions.fromJson(saved.toJson());
    assertEquals(List.of(Path.of("sets/lfw.bin"), Path.of("sets/cfp_fp.bin")), back.run().val());
    assertEquals(saved, back);
    // An option text of an earlier version, without them, reads with none.
    assertEquals(List.of(), TrainOptions.fromJson("{}").run().val());
    assertEquals(50, resume(saved, "--val-every", "50").run().valEvery());
    assertEquals(saved, resume(saved, "--val", "sets/lfw.bin,sets/cfp_fp.bin"));
    // They decide best.bin and the metrics columns: another list is refused, both shown as typed.
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resume(saved, "--val", "agedb_30.bin"));
    assertTrue(
        e.getMessage().contains("--val agedb_30.bin (checkpoint: sets/lfw.bin,sets/cfp_fp.bin)"),
        e.getMessage());
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainOptions.parse("--val", "a/lfw.bin,b/lfw.bin"));
    assertTrue(twice.getMessage().contains("'lfw' twice"), twice.getMessage());
  }

  @Test
  void onlyTheEpochsTheValidationCadenceAndTheReadingSpeedMayChangeOnResume()
      throws NoSuchFieldException {
    for (Class<?> group :
        new Class<?>[] {
          io.github.ringloss4j.app.data.DataOptions.class,
          io.github.ringloss4j.app.model.ModelOptions.class,
          io.github.ringloss4j.app.model.RingOptions.class,
          io.github.ringloss4j.app.model.OptimizerOptions.class,
          RunOptions.class
        }) {
      for (java.lang.reflect.Field f : group.getDeclaredFields()) {
        boolean marked = f.isAnnotationPresent(MayChangeOnResume.class);
        boolean speedOnly =
            group == io.github.ringloss4j.app.data.DataOptions.class
                && java.util.Set.of("workers", "prefetch").contains(f.getName());
        assertEquals(
            group == RunOptions.class && Set.of("epochs", "valEvery").contains(f.getName())
                || speedOnly,
            marked,
            f.getName());
      }
    }
  }

  @Test
  void theClassFilterIsPartOfTheRunsIdentity() throws IOException {
    TrainOptions closed = TrainOptions.parse("--seed", "1");
    TrainOptions open = TrainOptions.parse("--seed", "1", "--exclude-classes", "0,1");
    TrainOptions sameOpen = TrainOptions.parse("--seed", "1", "--exclude-classes", "1,0");
    org.junit.jupiter.api.Assertions.assertNotEquals(closed, open);
    assertEquals(open, sameOpen);
    assertEquals(open, TrainOptions.fromJson(open.toJson()));
    // A run saved before the option existed has no such field: the full data.
    String old = closed.toJson().replace("\"excludeClasses\": null,", "");
    assertEquals(closed, TrainOptions.fromJson(old));
  }

  /**
   * The input normalisation: x/255 by default and for runs saved before it existed; one value is
   * every channel's; saved with the run; bad values and a changed value on resume are refused.
   */
  @Test
  void theInputNormalizationIsPartOfTheRunsIdentity() throws IOException {
    TrainOptions plain = TrainOptions.parse("--channels", "3");
    assertEquals(InputNormalization.identity(3), plain.inputNormalization());
    assertTrue(plain.inputNormalization().isIdentity());
    assertEquals(InputNormalization.identity(1), TrainOptions.defaults().inputNormalization());
    // A run saved before the options existed has no such fields: x/255, the same run.
    String old = plain.toJson().replaceAll(",\\s*\"input(Mean|Std)\": null", "");
    assertFalse(old.contains("input"), old);
    assertEquals(plain, TrainOptions.fromJson(old));
    assertTrue(TrainOptions.fromJson(old).inputNormalization().isIdentity());
    assertEquals(
        plain, TrainOptions.parse("--channels", "3", "--input-mean", "0", "--input-std", "1"));

    float[] half = {0.5f, 0.5f, 0.5f};
    TrainOptions insightFace =
        TrainOptions.parse("--channels", "3", "--input-mean", "0.5", "--input-std", "0.5");
    assertEquals(new InputNormalization(half, half), insightFace.inputNormalization());
    assertEquals(insightFace, TrainOptions.fromJson(insightFace.toJson()));
    assertNotEquals(plain, insightFace);
    TrainOptions spelledOut =
        TrainOptions.parse(
            "--channels", "3", "--input-mean", "0.5,0.5,0.5", "--input-std", "0.5,0.5,0.5");
    assertEquals(insightFace, spelledOut);
    assertEquals(insightFace.hashCode(), spelledOut.hashCode());

    for (String[] bad :
        new String[][] {
          {"--input-std", "0", "--input-std must be finite and > 0, got 0.0"},
          {"--input-std", "-1", "--input-std must be finite and > 0"},
          {"--input-std", "Infinity", "--input-std must be finite and > 0"},
          {"--input-mean", "NaN", "--input-mean must be finite, got NaN"},
          {"--input-mean", "-Infinity", "--input-mean must be finite"},
          {"--input-mean", "0.1,0.2", "--input-mean must be one value, or one per channel (3)"},
          {"--input-std", "1,1,1,1", "--input-std must be one value, or one per channel (3)"},
          {"--input-mean", "half", "--input-mean"}
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> TrainOptions.parse("--channels", "3", bad[0], bad[1]));
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
    }
    IllegalArgumentException grey =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainOptions.parse("--input-mean", "0.5,0.5,0.5"));
    assertTrue(
        grey.getMessage().contains("--input-mean must be one value, or one per channel (1)"),
        grey.getMessage());

    // Resume: the same normalisation, however spelled, is accepted; another one is refused.
    assertEquals(insightFace, resume(insightFace, "--input-mean", "0.5,0.5,0.5"));
    assertEquals(plain, resume(plain, "--input-mean", "0", "--input-std", "1"));
    IllegalArgumentException changed =
        assertThrows(
            IllegalArgumentException.class, () -> resume(insightFace, "--input-mean", "0.25"));
    assertTrue(
        changed.getMessage().contains("--input-mean 0.25 (checkpoint: 0.5)"), changed.getMessage());
    IllegalArgumentException added =
        assertThrows(IllegalArgumentException.class, () -> resume(plain, "--input-std", "0.5"));
    assertTrue(
        added.getMessage().contains("--input-std 0.5 (checkpoint: none)"), added.getMessage());
  }
}
