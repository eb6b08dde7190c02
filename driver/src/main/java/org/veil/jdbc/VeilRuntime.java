package org.veil.jdbc;

import org.veil.config.VeilConfig;

/**
 * What the connections of one configuration share: the configuration itself, and the state
 * built from it once (statement analysis, keys). Thread-safe; one per data source, never static.
 */
final class VeilRuntime {

  private final VeilConfig config;

  VeilRuntime(VeilConfig config) {
    this.config = config;
  }

  VeilConfig config() {
    return config;
  }
}
