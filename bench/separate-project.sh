#!/usr/bin/env bash
# The library as a user adopts it: the README's install line, then a throwaway Maven project in
# /tmp that is a named module (module-info requires io.github.ringloss4j.core), compiled and run on
# the module path, offline. It checks that the installed jar works as a module, that core's
# non-exported package is really hidden from a user's module, and that sources and javadoc jars
# were installed next to it.
#
#   bench/separate-project.sh [LOCAL_REPOSITORY]
#
# LOCAL_REPOSITORY is Maven's local repository (default: Maven's own, ~/.m2/repository); the
# install writes core there. The first install may download from Maven Central; the separate
# project is then built with -o (offline), so it must find everything there. DJL_CACHE_DIR (default
# target/djl-cache) is where the PyTorch natives are unpacked (about 450 MB, once).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_opt=()
repo="$HOME/.m2/repository"
if [ $# -ge 1 ]; then
  repo="$(cd "$1" && pwd)"
  repo_opt=("-Dmaven.repo.local=$repo")
fi
version="$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$root/pom.xml" | head -n 1)"
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
mvn_q=(mvn -B -q -ntp -Dstyle.color=never "${repo_opt[@]}")

echo "== the README's install line, into $repo"
(cd "$root" && "${mvn_q[@]}" install -DskipTests -pl core -am)
installed="$repo/io/github/ringloss4j/ringloss4j-core/$version"
for jar in "" -sources -javadoc; do
  file="$installed/ringloss4j-core-$version$jar.jar"
  [ -s "$file" ] || { echo "missing: $file" >&2; exit 1; }
  echo "installed: $(basename "$file")"
done

project="$(mktemp -d /tmp/ringloss-separate.XXXXXX)"
trap 'rm -rf "$project"' EXIT
echo "== a separate project in $project"
mkdir -p "$project/src/main/java/demo" "$project/peek/demo"

# Plugin versions are pinned (the ones the library's build uses), so that -o finds them.
cat >"$project/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId>
  <artifactId>separate</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>io.github.ringloss4j</groupId><artifactId>ringloss4j-core</artifactId><version>$version</version></dependency>
    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-engine</artifactId><version>0.36.0</version></dependency>
    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-jni</artifactId><version>2.7.1-0.36.0</version></dependency>
    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-native-cpu</artifactId><version>2.7.1</version><classifier>linux-x86_64</classifier></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.17</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version>
        <configuration><compilerArgs><arg>-Xlint:all,-try,-requires-automatic,-requires-transitive-automatic</arg><arg>-Werror</arg></compilerArgs></configuration></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version>
        <executions><execution><id>lib</id><phase>package</phase><goals><goal>copy-dependencies</goal></goals>
          <configuration><outputDirectory>\${project.build.directory}/lib</outputDirectory></configuration>
        </execution></executions></plugin>
    </plugins>
  </build>
</project>
EOF

cat >"$project/src/main/java/module-info.java" <<'EOF'
module demo {
  requires io.github.ringloss4j.core;
}
EOF

cat >"$project/src/main/java/demo/Main.java" <<'EOF'
package demo;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.github.ringloss4j.loss.RingCompositeLoss;
import io.github.ringloss4j.nn.RingModelBlock;

/** A RingModelBlock on a small net, its loss on random data, three training steps. */
public final class Main {
  public static void main(String[] args) {
    Engine.getInstance().setRandomSeed(7);
    System.out.println("module " + Main.class.getModule().getName() + " uses "
        + RingModelBlock.class.getModule().getName() + " on engine " + Engine.getInstance().getEngineName());
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock embedding = new SequentialBlock()
          .add(Linear.builder().setUnits(32).build())
          .add(Activation::relu)
          .add(Linear.builder().setUnits(8).build());
      RingModelBlock net = RingModelBlock.of(embedding, Linear.builder().setUnits(3).build());
      RingCompositeLoss loss = RingCompositeLoss.softmaxPlusRing(net.getRing());
      try (Model model = Model.newInstance("separate")) {
        model.setBlock(net);
        try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss))) {
          trainer.initialize(new Shape(64, 20));
          NDArray x = manager.randomNormal(new Shape(64, 20));
          NDArray y = manager.randomInteger(0, 3, new Shape(64), DataType.INT32);
          for (int step = 1; step <= 3; step++) {
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDList outputs = trainer.forward(new NDList(x));
              NDArray total = loss.evaluate(new NDList(y), outputs);
              if (step == 1) {
                System.out.printf("outputs: %s%n", outputs.stream().map(NDArray::getName).toList());
              }
              StringBuilder line = new StringBuilder("step " + step + ":");
              for (Loss component : loss.getComponents()) {
                line.append(String.format(" %s %.5f,", component.getName(),
                    component.evaluate(new NDList(y), outputs).getFloat()));
              }
              System.out.printf("%s total %.5f, R %.5f%n", line, total.getFloat(),
                  net.getRing().getRadius());
              collector.backward(total);
            }
            trainer.step();
          }
        }
      }
    }
  }
}
EOF

# The README's own-network example, exactly as the README shows it (in the module's package):
# a conv net of one's own exported, loaded with one call, and its served vector compared with the
# block's forward pass.
marker='it prints "served = training side: true"'
{
  echo "package demo;"
  echo
  awk -v m="$marker" 'index($0, m) { found = 1; next }
    found && /^```java/ { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }' "$root/README.md"
} >"$project/src/main/java/demo/OwnNetworkExport.java"
grep -q "class OwnNetworkExport" "$project/src/main/java/demo/OwnNetworkExport.java" ||
  { echo "FAIL: the README's own-network example was not found" >&2; exit 1; }

# A user's module that reaches into core's internal package: must not compile.
cp "$project/src/main/java/module-info.java" "$project/peek/module-info.java"
cat >"$project/peek/demo/Peek.java" <<'EOF'
package demo;

final class Peek {
  static final Class<?> HIDDEN = io.github.ringloss4j.internal.Norms.class;
}
EOF

cd "$project"
echo "== build, offline"
"${mvn_q[@]}" -o package
cp="$(ls target/lib/pytorch-native-cpu-*.jar)"
# The natives jar's Automatic-Module-Name (ai.djl.pytorch_native_cpu_linux-x86_64) is not a valid
# module name, so it stays on the class path; DJL finds its resources there.
mp="target/classes:$(ls target/lib/*.jar | grep -v pytorch-native-cpu | paste -sd: -)"

echo "== core's internal package, seen from the user's module"
if javac -d target/peek --module-path "$mp" peek/module-info.java peek/demo/Peek.java 2>target/peek.err; then
  echo "FAIL: a user's module compiled against io.github.ringloss4j.internal" >&2
  exit 1
fi
grep -A 1 -m 1 'internal' target/peek.err

echo "== run on the module path"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/target/djl-cache}"
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$DJL_CACHE_DIR}"
java --module-path "$mp" --class-path "$cp" \
  -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
  -m demo/demo.Main

echo "== the README's own-network example, on the module path"
out="$(java --module-path "$mp" --class-path "$cp" \
  -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
  -m demo/demo.OwnNetworkExport "$project/own" 2>"$project/own.err")" ||
  { cat "$project/own.err" >&2; echo "FAIL: the README's own-network example failed" >&2; exit 1; }
echo "$out"
grep -q "served = training side: true" <<<"$out" ||
  { echo "FAIL: the served vector differs from the training side" >&2; exit 1; }
echo "== OK"
