package io.github.ringloss4j.architecture;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The classes each compiled class refers to, read from the constant pool of its class file (JVMS
 * §4.4): the names of {@code CONSTANT_Class} entries, and every class named inside a descriptor or
 * generic signature ({@code Lpkg/Name;}), which covers field and method types, annotations and type
 * arguments. Compile-time constants inlined from another class leave no trace, as with any
 * byte-code analysis.
 */
public final class ClassFileDependencies {

  /** A class named inside a descriptor or signature: {@code L}, the internal name, then ; or <. */
  private static final Pattern IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

  private ClassFileDependencies() {}

  /**
   * Every class under a directory of class files, with the classes it refers to; the module
   * descriptor, which is no class, is left out.
   *
   * @param classes a compiler output directory, e.g. {@code target/classes}
   * @return binary names (dots, {@code $} for nested classes) to the binary names they refer to
   */
  public static Map<String, Set<String>> of(Path classes) throws IOException {
    Map<String, Set<String>> dependencies = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files =
          walk.filter(p -> p.toString().endsWith(".class"))
              .filter(p -> !p.getFileName().toString().equals("module-info.class"))
              .toList();
    }
    for (Path file : files) {
      String relative =
          classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
      String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
      dependencies.put(name, referencedClasses(Files.readAllBytes(file)));
    }
    return dependencies;
  }

  /**
   * The classes one class file refers to.
   *
   * @param classFile the bytes of a class file
   * @return binary names
   * @throws IOException if the bytes are not a class file
   */
  public static Set<String> referencedClasses(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor version
    in.readUnsignedShort(); // major version
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> classNameIndices = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classNameIndices.add(in.readUnsignedShort());
        case 8, 16, 19, 20 -> skip(in, 2); // String, MethodType, Module, Package
        case 15 -> skip(in, 3); // MethodHandle
        case 3, 4, 9, 10, 11, 12, 17, 18 ->
            skip(in, 4); // Integer, Float, refs, NameAndType, Dynamic
        case 5, 6 -> {
          skip(in, 8); // Long and Double take two entries
          i++;
        }
        default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
      }
    }
    Set<String> names = new TreeSet<>();
    for (int index : classNameIndices) {
      String name = utf8[index];
      if (name.startsWith("[")) {
        addFromDescriptors(name, names);
      } else {
        names.add(name.replace('/', '.'));
      }
    }
    for (String text : utf8) {
      if (text != null) {
        addFromDescriptors(text, names);
      }
    }
    return names;
  }

  /**
   * {@link #referencedClasses(byte[])} of a class on the class path.
   *
   * @param type the class
   * @return binary names
   */
  public static Set<String> referencedClasses(Class<?> type) throws IOException {
    String file = type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class";
    try (InputStream in = type.getResourceAsStream(file)) {
      if (in == null) {
        throw new IOException("no class file for " + type);
      }
      return referencedClasses(in.readAllBytes());
    }
  }

  private static void addFromDescriptors(String text, Set<String> names) {
    Matcher m = IN_DESCRIPTOR.matcher(text);
    while (m.find()) {
      names.add(m.group(1).replace('/', '.'));
    }
  }

  private static void skip(DataInputStream in, int bytes) throws IOException {
    in.skipNBytes(bytes);
  }
}
