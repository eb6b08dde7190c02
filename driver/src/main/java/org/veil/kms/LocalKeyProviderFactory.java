package org.veil.kms;

import java.security.SecureRandom;

/** {@code veil.kms=local}: see {@link LocalKeyProvider}. */
public final class LocalKeyProviderFactory implements KeyProviderFactory {

  @Override
  public String name() {
    return "local";
  }

  @Override
  public KeyProvider create(KeyProviderSettings settings) throws KeyProviderException {
    return LocalKeyProvider.open(settings, new SecureRandom());
  }
}
