package org.veil.kms;

/**
 * Creates a {@link KeyProvider} from settings; found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.veil.kms.KeyProviderFactory}) and chosen by {@link #name()}
 * matching {@code veil.kms}.
 *
 * <p>Implementations must be cheap to instantiate and must not load optional libraries (such as
 * the AWS SDK) until {@link #create} is called, so that users of another provider never need them.
 */
public interface KeyProviderFactory {

  /** The value of {@code veil.kms} that selects this provider. */
  String name();

  KeyProvider create(KeyProviderSettings settings) throws KeyProviderException;
}
