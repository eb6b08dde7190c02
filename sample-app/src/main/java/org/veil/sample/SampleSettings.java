package org.veil.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The sample's configuration: {@code sample-app.properties} from the class path, then the file
 * named by {@code sample.config}, then {@code sample.*} and {@code veil.*} system properties, each
 * overriding the one before.
 */
final class SampleSettings {

  static final String KMS = "veil.kms";
  static final String KEYSTORE = "veil.kms.keystore";

  private final Properties values;

  private SampleSettings(Properties values) {
    this.values = values;
  }

  static SampleSettings load(Properties system) {
    Properties values = new Properties();
    try (InputStream in = SampleSettings.class.getResourceAsStream("/sample-app.properties")) {
      values.load(in);
      String file = system.getProperty("sample.config");
      if (file != null && !file.isBlank()) {
        try (InputStream custom = Files.newInputStream(Path.of(file))) {
          values.load(custom);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sample's configuration", e);
    }
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith("sample.") || name.startsWith("veil.")) {
        values.setProperty(name, system.getProperty(name));
      }
    }
    return new SampleSettings(values);
  }

  /** The configured database URL, or empty for the embedded server. */
  String dbUrl() {
    return get("sample.db.url");
  }

  String dbUser() {
    return get("sample.db.user");
  }

  String dbPassword() {
    return get("sample.db.password");
  }

  /** Where the development master key is kept when no key provider is configured. */
  Path devKeyFile() {
    String explicit = get("sample.devKey");
    if (!explicit.isEmpty()) {
      return Path.of(explicit);
    }
    return Path.of(values.getProperty("sample.home", ".")).resolve(".veil-dev")
        .resolve("master.key");
  }

  /** Every {@code veil.*} setting, as given. */
  Properties veilProperties() {
    Properties veil = new Properties();
    for (String name : values.stringPropertyNames()) {
      if (name.startsWith("veil.") && !get(name).isEmpty()) {
        veil.setProperty(name, get(name));
      }
    }
    return veil;
  }

  private String get(String name) {
    return values.getProperty(name, "").trim();
  }
}
