package io.github.ringloss4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@link CheckedUnpickler} guarantees whatever the policy (the readers' own tests cover their
 * policies: VerificationBinTest in the application, TorchStateDictTest here).
 */
class CheckedUnpicklerTest {

  /** Accepts dicts, nothing else beyond the data opcodes. */
  private static final class DictsOnly extends PicklePolicy {
    @Override
    public boolean accepts(short opcode) {
      return opcode == net.razorvine.pickle.Opcodes.EMPTY_DICT
          || opcode == net.razorvine.pickle.Opcodes.DICT
          || opcode == net.razorvine.pickle.Opcodes.SETITEM
          || opcode == net.razorvine.pickle.Opcodes.SETITEMS;
    }

    @Override
    public String whyNot(short opcode, String name) {
      return "not here";
    }

    @Override
    public Object global(String module, String name) {
      return null;
    }

    @Override
    public String whyNotGlobal() {
      return "none accepted";
    }

    @Override
    public String describe(Object value) {
      return String.valueOf(value == null ? null : value.getClass().getSimpleName());
    }

    @Override
    public IOException failure(long byteOffset, String message) {
      return new IOException("at byte " + byteOffset + ": " + message);
    }
  }

  private static Object unpickle(String bytes) throws IOException {
    byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
    return new CheckedUnpickler(new DictsOnly(), new ByteArrayInputStream(b), b.length).run();
  }

  @Test
  void dictsKeepThePicklesOrder() throws IOException {
    // {'z': 1, 'a': 2, 'm': 3} by SETITEMS, then by DICT
    String items = "X\u0001\0\0\0zK\u0001X\u0001\0\0\0aK\u0002X\u0001\0\0\0mK\u0003";
    for (String pickle :
        new String[] {"\u0080\u0002}(" + items + "u.", "\u0080\u0002(" + items + "d."}) {
      Map<?, ?> dict = (Map<?, ?>) unpickle(pickle);
      List<String> keys = new ArrayList<>();
      dict.keySet().forEach(k -> keys.add(((CheckedUnpickler.Text) k).value()));
      assertEquals(List.of("z", "a", "m"), keys);
    }
  }

  @Test
  void refusesUnhashableKeysBeforeJavaHashesThem() {
    // d = {}; l = []; l.append(l); d[l] = None: Java's List.hashCode would recurse forever
    IOException e = assertThrows(IOException.class, () -> unpickle("\u0080\u0002}]2aNs."));
    assertTrue(e.getMessage().contains("at byte 7: SETITEM with the key"), e.getMessage());
    assertTrue(e.getMessage().contains("which Python cannot hash"), e.getMessage());
  }

  @Test
  void refusesGlobalsTheOptionalOpcodesAndUnknownOnes() {
    IOException global =
        assertThrows(IOException.class, () -> unpickle("\u0080\u0002cos\nsystem\n."));
    assertTrue(
        global
            .getMessage()
            .contains(
                "refused pickle opcode GLOBAL: it names the Python global"
                    + " os.system; none accepted"),
        global.getMessage());
    IOException real = assertThrows(IOException.class, () -> unpickle("\u0080\u0002G"));
    assertTrue(real.getMessage().contains("refused pickle opcode BINFLOAT: not here"));
    IOException junk = assertThrows(IOException.class, () -> unpickle("\u0080\u0002\u00ff"));
    assertTrue(junk.getMessage().contains("0xff is not a pickle opcode"), junk.getMessage());
  }
}
