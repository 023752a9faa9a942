package io.github.ringloss4j.internal;

import java.io.IOException;
import net.razorvine.pickle.Opcodes;

/**
 * What one reader of untrusted pickles accepts, for {@link CheckedUnpickler}: beyond lists, tuples,
 * bools, ints, strings, bytes and the memo, which optional opcodes may run, which Python globals
 * stand for what, what a call or a persistent id evaluates to, and the exception a failure becomes.
 * Every default refuses.
 */
public abstract class PicklePolicy {

  /** Thrown by a policy to refuse or reject what the pickle does at the current opcode. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    /** Whether the message follows "refused pickle opcode NAME: " or stands alone. */
    private final boolean refusal;

    private Rejected(String message, boolean refusal) {
      super(message);
      this.refusal = refusal;
    }

    /** Whether the message follows "refused pickle opcode NAME: " (else it stands alone). */
    boolean isRefusal() {
      return refusal;
    }

    /**
     * A refusal: the message becomes "refused pickle opcode NAME: {@code why}".
     *
     * @param why what the opcode does and what the reader accepts instead
     * @return the exception
     */
    public static Rejected refused(String why) {
      return new Rejected(why, true);
    }

    /**
     * A malformed value: the message is {@code what} as given.
     *
     * @param what what is wrong
     * @return the exception
     */
    public static Rejected malformed(String what) {
      return new Rejected(what, false);
    }
  }

  /**
   * Whether one of the optional opcodes may run: {@code EMPTY_DICT}, {@code DICT}, {@code SETITEM},
   * {@code SETITEMS}, {@code FLOAT}, {@code BINFLOAT}, {@code LONG}, {@code LONG1}, {@code LONG4},
   * {@code BUILD}, {@code BINPERSID}, {@code STACK_GLOBAL}.
   *
   * @param opcode the opcode, one of {@link Opcodes}
   * @return true to let it run
   */
  public boolean accepts(short opcode) {
    return false;
  }

  /**
   * Why an opcode is refused: what it does and what the file should hold instead.
   *
   * @param opcode a refused opcode
   * @param name its name, e.g. {@code BUILD}
   * @return the reason, after "refused pickle opcode NAME: "
   */
  public abstract String whyNot(short opcode, String name);

  /**
   * The stand-in for a Python global ({@code GLOBAL}, or {@code STACK_GLOBAL} if accepted).
   *
   * @param module the module, e.g. {@code collections}
   * @param name the name in it, e.g. {@code OrderedDict}
   * @return an inert object of the policy's own, or null to refuse
   */
  public abstract Object global(String module, String name);

  /**
   * Why a global is refused, after "it names the Python global MODULE.NAME; ".
   *
   * @return which globals are accepted, and why
   */
  public abstract String whyNotGlobal();

  /**
   * Evaluates {@code REDUCE}: a call of a stand-in on arguments.
   *
   * @param callable what the pickle calls (any unpickled value)
   * @param args what it is called on (any unpickled value; a tuple is an {@code Object[]})
   * @return the result, pushed on the stack
   * @throws Rejected if the call is not one the policy evaluates, or its arguments are malformed
   * @throws IOException if what the call needs cannot be read (the policy's failure)
   */
  public Object reduce(Object callable, Object args) throws Rejected, IOException {
    throw Rejected.refused(
        "it calls " + describe(callable) + " on " + describe(args) + "; no call is accepted");
  }

  /**
   * Evaluates {@code BUILD}: the state applied to an object (only if {@link #accepts} it).
   *
   * @param target the object
   * @param state the state
   * @throws Rejected if refused
   */
  public void build(Object target, Object state) throws Rejected {
    throw Rejected.refused("it sets the state of " + describe(target));
  }

  /**
   * Evaluates {@code BINPERSID} (only if {@link #accepts} it).
   *
   * @param id the persistent id
   * @return the object it names
   * @throws Rejected if refused or malformed
   * @throws IOException if what it names cannot be read
   */
  public Object persistentLoad(Object id) throws Rejected, IOException {
    throw Rejected.refused("it loads a persistent object " + describe(id));
  }

  /**
   * A short description of an unpickled value for messages, never its content.
   *
   * @param value the value
   * @return e.g. "a tuple of 2"
   */
  public abstract String describe(Object value);

  /**
   * The exception to throw for a failure.
   *
   * @param byteOffset the 0-based offset in the pickle of the opcode concerned
   * @param message what is wrong
   * @return the exception, naming the file
   */
  public abstract IOException failure(long byteOffset, String message);
}
