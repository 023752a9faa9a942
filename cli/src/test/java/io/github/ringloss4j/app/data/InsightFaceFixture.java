package io.github.ringloss4j.app.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code verification/reference.json}, written by {@code make_fixture.py}: a flat JSON object of
 * numbers, booleans, strings and arrays of them, read by a minimal parser (the test classpath has
 * no JSON library). Numbers are parsed with {@link Double#parseDouble}, which recovers Python's
 * {@code repr} of a float exactly.
 */
final class InsightFaceFixture {

  private final Map<String, Object> values;

  private InsightFaceFixture(Map<String, Object> values) {
    this.values = values;
  }

  static InsightFaceFixture load() throws IOException {
    String text =
        Files.readString(VerificationBinTest.resource("reference.json"), StandardCharsets.UTF_8);
    Parser parser = new Parser(text);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parser.value();
    return new InsightFaceFixture(map);
  }

  double number(String key) {
    return (Double) values.get(key);
  }

  double[] numbers(String key) {
    List<?> list = (List<?>) values.get(key);
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Double) list.get(i);
    }
    return out;
  }

  int[] ints(String key) {
    double[] d = numbers(key);
    int[] out = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (int) d[i];
    }
    return out;
  }

  boolean[] booleans(String key) {
    List<?> list = (List<?>) values.get(key);
    boolean[] out = new boolean[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Boolean) list.get(i);
    }
    return out;
  }

  List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) values.get(key)) {
      out.add((String) o);
    }
    return out;
  }

  /** Objects, arrays, numbers, plain strings (no escapes: the fixture has none) and literals. */
  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    Object value() {
      skipSpace();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> map = new LinkedHashMap<>();
        i++;
        while (true) {
          skipSpace();
          if (s.charAt(i) == '}') {
            i++;
            return map;
          }
          String key = (String) value();
          skipSpace();
          expect(':');
          map.put(key, value());
          skipSpace();
          if (s.charAt(i) == ',') {
            i++;
          }
        }
      } else if (c == '[') {
        List<Object> list = new ArrayList<>();
        i++;
        while (true) {
          skipSpace();
          if (s.charAt(i) == ']') {
            i++;
            return list;
          }
          list.add(value());
          skipSpace();
          if (s.charAt(i) == ',') {
            i++;
          }
        }
      } else if (c == '"') {
        int end = s.indexOf('"', i + 1);
        String text = s.substring(i + 1, end);
        if (text.indexOf('\\') >= 0) {
          throw new IllegalStateException("escapes are not supported: " + text);
        }
        i = end + 1;
        return text;
      } else if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      } else if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      return Double.parseDouble(s.substring(start, i));
    }

    private void expect(char c) {
      if (s.charAt(i) != c) {
        throw new IllegalStateException("expected '" + c + "' at " + i);
      }
      i++;
    }

    private void skipSpace() {
      while (Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
