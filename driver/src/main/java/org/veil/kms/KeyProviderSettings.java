package org.veil.kms;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a {@link KeyProviderFactory} needs: the {@code veil.kms.*} settings, already parsed.
 * {@link #toString()} never shows the keystore password.
 */
public final class KeyProviderSettings {

  /** The environment variable read when no keystore password is configured. */
  public static final String PASSWORD_ENV = "VEIL_KEYSTORE_PASSWORD";

  private final String keyId;
  private final String keystore;
  private final char[] keystorePassword;
  private final String region;
  private final String endpoint;
  private final Duration timeout;
  private final Function<String, String> environment;

  private KeyProviderSettings(Builder b) {
    this.keyId = b.keyId;
    this.keystore = b.keystore;
    this.keystorePassword = b.keystorePassword == null ? null : b.keystorePassword.clone();
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.timeout = Objects.requireNonNull(b.timeout, "timeout");
    this.environment = b.environment;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code veil.kms.keyId}: the AWS key ARN or alias, or the local keystore alias; may be null. */
  public String keyId() {
    return keyId;
  }

  /** {@code veil.kms.keystore}: the local keystore or key file; may be null. */
  public String keystore() {
    return keystore;
  }

  /**
   * The keystore password: {@code veil.kms.keystorePassword}, else the environment variable
   * {@value #PASSWORD_ENV}; null when neither is set. Returns a copy the caller should clear.
   */
  public char[] keystorePassword() {
    if (keystorePassword != null) {
      return keystorePassword.clone();
    }
    String fromEnv = environment.apply(PASSWORD_ENV);
    return fromEnv == null ? null : fromEnv.toCharArray();
  }

  public String region() {
    return region;
  }

  public String endpoint() {
    return endpoint;
  }

  /** Upper bound on one provider call. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return "KeyProviderSettings[keyId=" + keyId + ", keystore=" + keystore + ", region=" + region
        + ", endpoint=" + endpoint + ", timeout=" + timeout + "]";
  }

  /** Builds {@link KeyProviderSettings}. Not thread-safe. */
  public static final class Builder {
    private String keyId;
    private String keystore;
    private char[] keystorePassword;
    private String region;
    private String endpoint;
    private Duration timeout = Duration.ofSeconds(5);
    private Function<String, String> environment = System::getenv;

    private Builder() {}

    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public Builder keystore(String keystore) {
      this.keystore = keystore;
      return this;
    }

    public Builder keystorePassword(char[] password) {
      this.keystorePassword = password == null ? null : password.clone();
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Where environment variables are read from; {@code System::getenv} by default. */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment);
      return this;
    }

    public KeyProviderSettings build() {
      return new KeyProviderSettings(this);
    }
  }
}
