package io.github.ringloss4j.architecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rule of a layered module: its packages in one order, each using only packages after it —
 * never one before it, never one that uses it back. Classes outside the root (the JDK, DJL,
 * picocli, another module of this project, …) are not checked. The core library's tests and the
 * application's (through core's test jar) both apply it.
 */
public final class Layering {

  private final String root;
  private final List<String> order;

  /**
   * Creates the rule.
   *
   * @param root the root package, e.g. {@code io.github.ringloss4j.app}
   * @param order the names of its packages under the root, top layer first
   */
  public Layering(String root, List<String> order) {
    this.root = root;
    this.order = List.copyOf(order);
  }

  /**
   * Every breach of the rule.
   *
   * @param classes the module's classes (binary names), each with the classes it uses
   * @return one message per package not in the order, per use of a package above (with the classes
   *     that make it), and per pair of packages that use each other; empty when the rule holds
   */
  public List<String> violations(Map<String, Set<String>> classes) {
    Map<String, Map<String, Set<String>>> uses = new TreeMap<>();
    Set<String> packages = new TreeSet<>();
    for (String type : classes.keySet()) {
      packages.add(packageOf(type));
    }
    for (Map.Entry<String, Set<String>> e : classes.entrySet()) {
      String from = packageOf(e.getKey());
      for (String target : e.getValue()) {
        String to = packageOf(target);
        if (!to.equals(from) && packages.contains(to)) {
          uses.computeIfAbsent(from, k -> new TreeMap<>())
              .computeIfAbsent(to, k -> new TreeSet<>())
              .add(simple(e.getKey()) + " → " + simple(target));
        }
      }
    }
    List<String> violations = new ArrayList<>();
    for (String p : packages) {
      if (!order.contains(p)) {
        violations.add("package " + p + " is in no layer of " + order);
      }
    }
    for (Map.Entry<String, Map<String, Set<String>>> from : uses.entrySet()) {
      for (Map.Entry<String, Set<String>> to : from.getValue().entrySet()) {
        String a = from.getKey();
        String b = to.getKey();
        int ia = order.indexOf(a);
        int ib = order.indexOf(b);
        if (ia >= 0 && ib >= 0 && ib < ia) {
          violations.add(a + " uses " + b + ", a layer above it: " + to.getValue());
        }
        if (a.compareTo(b) < 0 && uses.getOrDefault(b, Map.of()).containsKey(a)) {
          violations.add(a + " and " + b + " use each other");
        }
      }
    }
    return violations;
  }

  /** The package under the root: {@code train} for {@code io.github.ringloss4j.app.train.X$Y}. */
  private String packageOf(String type) {
    String rest = type.startsWith(root + ".") ? type.substring(root.length() + 1) : type;
    int dot = rest.lastIndexOf('.');
    return dot < 0 ? "" : rest.substring(0, dot);
  }

  private String simple(String type) {
    return type.startsWith(root + ".") ? type.substring(root.length() + 1) : type;
  }
}
