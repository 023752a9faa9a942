package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.serving.EmbeddingNetworks;
import picocli.CommandLine.Option;

/**
 * The opt-in, shared by the commands that take a model, to load a model directory that holds a
 * TorchScript program ({@code ringloss import --torchscript}): libtorch runs such a file in this
 * process, so, as in the library ({@link EmbeddingNetworks#withTorchScript}), it is refused unless
 * asked for.
 */
public final class TorchScriptTrust {

  @Option(
      names = "--allow-torchscript",
      description =
          "Load a model directory holding a TorchScript model (import --torchscript): a program"
              + " libtorch runs in this process, so only for files you trust. Default: refused.")
  boolean allowTorchScript;

  /**
   * The networks a model directory may name.
   *
   * @return the built-in ones, with TorchScript when allowed
   */
  public EmbeddingNetworks networks() {
    EmbeddingNetworks builtIn = EmbeddingNetworks.builtIn();
    return allowTorchScript ? builtIn.withTorchScript() : builtIn;
  }
}
