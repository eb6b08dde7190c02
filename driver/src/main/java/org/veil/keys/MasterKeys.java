package org.veil.keys;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.veil.config.VeilProperty;
import org.veil.error.VeilException;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.KeyProviderSettings;
import org.veil.kms.KeyProviders;

/**
 * The master keys of one configuration: the current one ({@code veil.kms.keystore} or
 * {@code veil.kms.keyId}), which wraps every new key, and the previous ones
 * ({@code veil.kms.previousKeys}), which only unwrap the keys still stored under them.
 *
 * <p>With the new master key current and the old one previous, an application loads every key
 * before, during and after {@code veil rotate-master} moves them from the old master key to the
 * new one, so a master key rotation needs no restart timed to it (docs/RUNBOOK.md).
 *
 * <h2>Security guarantees</h2>
 * A stored key is unwrapped only by the provider of the master key that its row names, and the
 * provider's answer must name that master key too. A key under a master key that is neither
 * current nor previous is refused, never tried against the configured ones.
 *
 * <p>Immutable and thread-safe. {@link #close()} closes every provider; only whoever opened
 * them calls it.
 */
public final class MasterKeys implements AutoCloseable {

  private static final String PREVIOUS = VeilProperty.KMS_PREVIOUS_KEYS.getName();

  private final KeyProvider current;
  /** By master key id, in the configured order. */
  private final Map<String, KeyProvider> previous;

  /**
   * @throws IllegalArgumentException when a previous master key is the current one, or is
   *     named twice
   */
  public MasterKeys(KeyProvider current, List<KeyProvider> previous) {
    this.current = Objects.requireNonNull(current, "current");
    Map<String, KeyProvider> byId = new LinkedHashMap<>();
    for (KeyProvider p : previous) {
      String id = p.masterKeyId();
      if (id.equals(current.masterKeyId())) {
        throw new IllegalArgumentException(PREVIOUS + " names the configured master key " + id
            + "; list only master keys that this application no longer wraps with");
      }
      if (byId.putIfAbsent(id, p) != null) {
        throw new IllegalArgumentException(PREVIOUS + " names master key " + id + " twice");
      }
    }
    this.previous = Collections.unmodifiableMap(byId);
  }

  /**
   * Opens the providers that {@code props} configure: {@code veil.kms} with its settings for the
   * current master key, and the same provider with the same settings for each of
   * {@code veil.kms.previousKeys}, which replaces only the setting that names the key.
   *
   * @throws VeilException {@code INVALID_CONFIGURATION} for a malformed setting
   * @throws KeyProviderException when a provider cannot start, or a master key is named twice
   */
  public static MasterKeys open(Properties props, ClassLoader loader)
      throws VeilException, KeyProviderException {
    List<KeyProvider> opened = new ArrayList<>();
    boolean done = false;
    try {
      KeyProvider current = openProvider(props, null, loader);
      opened.add(current);
      for (String key : VeilProperty.KMS_PREVIOUS_KEYS.getList(props)) {
        try {
          opened.add(openProvider(props, key, loader));
        } catch (KeyProviderException e) {
          throw new KeyProviderException(PREVIOUS + " (" + key + "): " + e.getMessage(),
              e.isUnavailable(), e);
        }
      }
      MasterKeys keys = new MasterKeys(current, opened.subList(1, opened.size()));
      done = true;
      return keys;
    } catch (IllegalArgumentException e) {
      throw new KeyProviderException(e.getMessage(), false, e);
    } finally {
      if (!done) {
        opened.forEach(KeyProvider::close);
      }
    }
  }

  /**
   * Opens the provider of one master key: the configured one when {@code masterKey} is null,
   * else {@code masterKey} named as the current one is: for {@code veil.kms=local} a keystore or
   * key file (in place of {@code veil.kms.keystore}, opened with the same password and alias),
   * for {@code veil.kms=aws} a key ARN or alias (in place of {@code veil.kms.keyId}, in the
   * same region and through the same endpoint).
   */
  public static KeyProvider openProvider(Properties props, String masterKey, ClassLoader loader)
      throws VeilException, KeyProviderException {
    String kms = VeilProperty.KMS.getChoice(props);
    String password = VeilProperty.KMS_KEYSTORE_PASSWORD.get(props);
    Properties named = props;
    if (masterKey != null) {
      named = new Properties();
      named.putAll(props);
      named.setProperty(keySetting(kms).getName(), masterKey);
    }
    KeyProviderSettings settings = KeyProviderSettings.builder()
        .keyId(VeilProperty.KMS_KEY_ID.get(named))
        .keystore(VeilProperty.KMS_KEYSTORE.get(named))
        .keystorePassword(password == null ? null : password.toCharArray())
        .region(VeilProperty.KMS_REGION.get(named))
        .endpoint(VeilProperty.KMS_ENDPOINT.get(named))
        .timeout(VeilProperty.KMS_TIMEOUT.getDuration(named))
        .build();
    return KeyProviders.create(kms, settings, loader);
  }

  /** The setting that names the master key of provider {@code kms}. */
  public static VeilProperty keySetting(String kms) {
    return "aws".equals(kms) ? VeilProperty.KMS_KEY_ID : VeilProperty.KMS_KEYSTORE;
  }

  /** The master key that wraps every new key. */
  public KeyProvider current() {
    return current;
  }

  /** The previous master keys, in the configured order; they never wrap a new key. */
  public List<KeyProvider> previous() {
    return List.copyOf(previous.values());
  }

  /**
   * The provider that unwraps a key stored under {@code masterKeyId}: the current one or a
   * previous one; empty when it is neither.
   */
  public Optional<KeyProvider> unwrapping(String masterKeyId) {
    if (current.masterKeyId().equals(masterKeyId)) {
      return Optional.of(current);
    }
    return Optional.ofNullable(previous.get(masterKeyId));
  }

  /**
   * Why a key stored under {@code masterKeyId}, which {@link #unwrapping} does not know, cannot
   * be loaded, and what to do; for both directions of a rotation: an application on the new
   * master key that reads keys not yet moved, and one still on the old key after they were.
   */
  String notConfigured(String masterKeyId) {
    boolean aws = "aws".equals(current.name());
    return "it is wrapped by master key " + masterKeyId + ", which is neither the configured"
        + " master key " + current.masterKeyId() + (previous.isEmpty()
            ? " nor a previous one (" + PREVIOUS + " is not set)"
            : " nor one of " + PREVIOUS + " " + previous.keySet())
        + ". If the keys are moving away from " + masterKeyId + ", add its "
        + (aws ? "key ARN" : "keystore or key file") + " to " + PREVIOUS + " (or run veil"
        + " rotate-master --to the configured master key); if veil rotate-master has moved them"
        + " to " + masterKeyId + ", make it the configured master key ("
        + keySetting(current.name()).getName() + ") and put the current one in " + PREVIOUS
        + " (docs/RUNBOOK.md, \"Rotating the master key\")";
  }

  @Override
  public void close() {
    current.close();
    previous.values().forEach(KeyProvider::close);
  }

  @Override
  public String toString() {
    return "MasterKeys[current=" + current + ", previous=" + previous.values() + "]";
  }
}
