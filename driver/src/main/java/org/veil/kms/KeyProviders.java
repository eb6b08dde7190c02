package org.veil.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds a {@link KeyProviderFactory} by name through {@link ServiceLoader}. */
public final class KeyProviders {

  private KeyProviders() {}

  /**
   * Creates the provider named {@code name} ({@code veil.kms}).
   *
   * @throws KeyProviderException when no provider has that name, or creating it fails
   */
  public static KeyProvider create(String name, KeyProviderSettings settings, ClassLoader loader)
      throws KeyProviderException {
    List<String> known = new ArrayList<>();
    for (KeyProviderFactory factory : ServiceLoader.load(KeyProviderFactory.class, loader)) {
      if (factory.name().equalsIgnoreCase(name)) {
        return factory.create(settings);
      }
      known.add(factory.name());
    }
    throw new KeyProviderException("veil.kms=" + name + " names no key provider on the class path;"
        + " available: " + known, false);
  }
}
