package org.veil.crypto;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;

/**
 * Which JCA provider runs the per-row AES-GCM operations (values and row key wraps; the row key
 * derivation's AES-ECB always runs on the JDK's provider): Amazon Corretto Crypto Provider when it is on the class
 * path, loaded its native library and passes its self-tests, on a JDK where it measured faster
 * (before 25: it halves the cost of a GCM key schedule on JDK 17, and is no faster than SunJCE on
 * JDK 25); otherwise the JDK's own provider. Veil never requires ACCP.
 *
 * <p>The JVM system property {@code org.veil.crypto.provider} overrides the choice: {@code jdk}
 * (the JDK's provider), {@code accp} (refuses to start without a healthy ACCP), {@code auto} (the
 * default). Chosen once per codec; the reflection that finds ACCP runs then, never per row.
 * Immutable and thread-safe.
 */
public final class GcmProvider {

  static final String PROPERTY = "org.veil.crypto.provider";
  private static final String ACCP_CLASS =
      "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  /** Null: the JDK's provider, as {@code Cipher.getInstance(transformation)} picks it. */
  private final Provider provider;

  private GcmProvider(Provider provider) {
    this.provider = provider;
  }

  /** The JDK's own providers. */
  public static GcmProvider jdk() {
    return new GcmProvider(null);
  }

  /**
   * Amazon Corretto Crypto Provider.
   *
   * @throws GeneralSecurityException when it is not on the class path, did not load its native
   *     library, or fails its self-tests
   */
  public static GcmProvider accp() throws GeneralSecurityException {
    return new GcmProvider(loadAccp());
  }

  /**
   * The fastest correct provider present, or the one {@code org.veil.crypto.provider} names.
   *
   * @throws GeneralSecurityException when the property names ACCP and ACCP is not healthy, or
   *     names no known provider
   */
  public static GcmProvider fastest() throws GeneralSecurityException {
    String choice = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    switch (choice) {
      case "jdk":
        return jdk();
      case "accp":
        return accp();
      case "auto":
        if (Runtime.version().feature() >= 25) {
          return jdk();
        }
        try {
          return accp();
        } catch (GeneralSecurityException absentOrUnhealthy) {
          return jdk();
        }
      default:
        throw new GeneralSecurityException(PROPERTY + "=" + choice + " is not one of auto, jdk,"
            + " accp");
    }
  }

  private static Provider loadAccp() throws GeneralSecurityException {
    try {
      Class<?> type = Class.forName(ACCP_CLASS, true, GcmProvider.class.getClassLoader());
      Field instance = type.getField("INSTANCE");
      Provider accp = (Provider) instance.get(null);
      Method loadingError = type.getMethod("getLoadingError");
      Throwable error = (Throwable) loadingError.invoke(accp);
      if (error != null) {
        throw new GeneralSecurityException("Amazon Corretto Crypto Provider did not load: "
            + error.getMessage(), error);
      }
      type.getMethod("assertHealthy").invoke(accp);
      return accp;
    } catch (ClassNotFoundException e) {
      throw new GeneralSecurityException("Amazon Corretto Crypto Provider is not on the class"
          + " path (software.amazon.cryptools:AmazonCorrettoCryptoProvider)", e);
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new GeneralSecurityException("Amazon Corretto Crypto Provider is not healthy: "
          + cause, cause);
    }
  }

  /** The provider's name, e.g. {@code SunJCE} or {@code AmazonCorrettoCryptoProvider}. */
  public String name() {
    return provider != null ? provider.getName() : newCipher("AES/GCM/NoPadding").getProvider()
        .getName();
  }

  Cipher gcm() {
    return newCipher("AES/GCM/NoPadding");
  }

  /**
   * AES-ECB for the row key derivation, always from the JDK (ACCP offers no ECB): the cipher stays
   * keyed by one branch key, so it never pays a key schedule per row.
   */
  Cipher ecb() {
    try {
      return Cipher.getInstance("AES/ECB/NoPadding");
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("AES/ECB/NoPadding is not available from the JDK", e);
    }
  }

  private Cipher newCipher(String transformation) {
    try {
      return provider == null ? Cipher.getInstance(transformation)
          : Cipher.getInstance(transformation, provider);
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException(transformation + " is not available from "
          + (provider == null ? "the JDK" : provider.getName()), e);
    }
  }

  @Override
  public String toString() {
    return "GcmProvider[" + name() + "]";
  }
}
