package dev.tollgate.policy;

import java.util.List;

/**
 * The organisation's policies ({@code governance=DIR}) that govern an app's policy: each file is a layer the app can
 * only tighten. A layer's tool rules are decided before the app's (its deny is final, whatever the app allows or its
 * mode); its limits and budgets apply beside the app's under their own names, in the layer's own mode.
 *
 * @param dir    the directory as configured, or null for none
 * @param layers one per file, in file-name order
 */
public record Governance(String dir, List<Layer> layers) {
  /** Not governed. */
  public static final Governance NONE = new Governance(null, List.of());

  /**
   * One governance file.
   *
   * @param label  how rule paths name it: the directory's name and the file's ({@code governance/org.yaml})
   * @param file   its path, for messages and {@code policy.loaded}
   * @param policy what it says (its active tool rules, limits, budgets, mode, header)
   */
  public record Layer(String label, String file, Policy policy) {}

  public Governance {
    layers = List.copyOf(layers);
  }

  /** The layer that defines limit or budget {@code name}, or null when the app's policy does. */
  public Layer ownerOf(String name) {
    for (Layer layer : layers) {
      for (Limit l : layer.policy().limits()) {
        if (l.name().equals(name)) {
          return layer;
        }
      }
      for (Budget b : layer.policy().budgets()) {
        if (b.name().equals(name)) {
          return layer;
        }
      }
    }
    return null;
  }

  /** Every governance file's path, in order. */
  public List<String> files() {
    return layers.stream().map(Layer::file).toList();
  }

}
