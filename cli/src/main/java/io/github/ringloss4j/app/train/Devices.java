package io.github.ringloss4j.app.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The devices a run trains on, from {@code --devices}: {@code auto} (every GPU the engine sees,
 * else the CPU), {@code cpu}, {@code gpu} (every GPU, an error without one) or {@code gpu:0,1}
 * (those GPUs). With k devices each batch is cut into k splits trained in data parallel: DJL keeps
 * a copy of every parameter per device and sums the gradients; {@link TrainingStep} weighs each
 * split by its share of the batch, so k devices take the step one device would.
 */
public final class Devices {

  private Devices() {}

  /**
   * Resolves a device specification against the engine.
   *
   * @param spec {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:i,j,…}
   * @return the devices, at least one, without duplicates
   * @throws IllegalArgumentException naming {@code --devices} when the specification is malformed
   *     or asks for a GPU the engine does not see
   */
  public static Device[] parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    switch (s) {
      case "auto":
        return gpus > 0 ? gpus(range(gpus), gpus, spec) : new Device[] {Device.cpu()};
      case "cpu":
        return new Device[] {Device.cpu()};
      case "gpu":
        return gpus(range(gpus), gpus, spec);
      default:
        if (!s.startsWith("gpu:")) {
          throw bad(spec, "expected auto, cpu, gpu or gpu:0,1");
        }
        Set<Integer> ids = new LinkedHashSet<>();
        for (String part : s.substring(4).split(",", -1)) {
          try {
            int id = Integer.parseInt(part.trim());
            if (id < 0 || !ids.add(id)) {
              throw bad(spec, "GPU ids must be distinct and >= 0");
            }
          } catch (NumberFormatException e) {
            throw bad(spec, "'" + part.trim() + "' is not a GPU id");
          }
        }
        return gpus(new ArrayList<>(ids), gpus, spec);
    }
  }

  private static List<Integer> range(int n) {
    List<Integer> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(i);
    }
    return ids;
  }

  private static Device[] gpus(List<Integer> ids, int available, String spec) {
    if (available == 0) {
      throw bad(
          spec,
          "the engine sees no GPU (the launcher runs the CPU build unless RINGLOSS_DEVICE=gpu;"
              + " see README)");
    }
    Device[] devices = new Device[ids.size()];
    for (int i = 0; i < devices.length; i++) {
      if (ids.get(i) >= available) {
        throw bad(spec, "GPU " + ids.get(i) + " does not exist; the engine sees " + available);
      }
      devices[i] = Device.gpu(ids.get(i));
    }
    return devices;
  }

  private static IllegalArgumentException bad(String spec, String why) {
    return new IllegalArgumentException("--devices: " + why + ", got '" + spec + "'");
  }
}
