package org.veil.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the command-line jobs use of the driver, beyond JDBC: public types of veil-driver that
 * are internal to Veil (their Javadoc says so where they would otherwise look like an API), not
 * an API for applications. A new one is a decision to take here, not a side effect of a change
 * in org.veil.tools.
 */
class DriverSeamTest {

  static final Set<String> SEAM = Set.of(
      "org.veil.catalog.CatalogColumns",
      "org.veil.catalog.StorageForm",
      "org.veil.config.ColumnPolicy",
      "org.veil.config.EncryptedColumns",
      "org.veil.config.VeilConfig",
      "org.veil.config.VeilProperty",
      "org.veil.crypto.CellCodec",
      "org.veil.crypto.CellColumn",
      "org.veil.crypto.CellException",
      "org.veil.crypto.CellShape",
      "org.veil.crypto.CellShapeSql",
      "org.veil.crypto.KeyId",
      "org.veil.crypto.KeyPurpose",
      "org.veil.crypto.KeyUnavailableException",
      "org.veil.crypto.Opened",
      "org.veil.crypto.RewrapScope",
      "org.veil.crypto.Rewrapper",
      "org.veil.crypto.RowSeal",
      "org.veil.crypto.ValueType",
      "org.veil.error.ServerState",
      "org.veil.error.VeilError",
      "org.veil.error.VeilException",
      "org.veil.jdbc.CellGuard",
      "org.veil.jdbc.ConnectionSettings",
      "org.veil.jdbc.RowBinding",
      "org.veil.keys.ConnectionSource",
      "org.veil.keys.KeyHierarchy",
      "org.veil.keys.KeyStoreConnections",
      "org.veil.keys.KeyStoreException",
      "org.veil.keys.MasterKeys",
      "org.veil.keys.PostgresBranchKeyStore",
      "org.veil.keys.StoredKey",
      "org.veil.keys.WrapContext",
      "org.veil.kms.BlobAuthenticationException",
      "org.veil.kms.KeyContext",
      "org.veil.kms.KeyProvider",
      "org.veil.kms.KeyProviderException",
      "org.veil.kms.UnwrappedKey",
      "org.veil.kms.WrappedKey",
      "org.veil.tls.PgjdbcSettings");

  private static final Pattern VEIL_TYPE = Pattern.compile(
      "\\borg\\.veil\\.[a-z]+(?:\\.[a-z]+)*\\.[A-Z][A-Za-z0-9]*");

  @Test
  void toolsUseOnlyTheListedDriverTypes() throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList());
    }
    assertThat(sources).anySatisfy(f -> assertThat(f.getFileName()).hasToString("Veil.java"));
    Set<String> used = new TreeSet<>();
    for (Path source : sources) {
      Matcher m = VEIL_TYPE.matcher(Files.readString(source));
      while (m.find()) {
        if (!m.group().startsWith("org.veil.tools.")) {
          used.add(m.group());
        }
      }
    }
    assertThat(used).isEqualTo(new TreeSet<>(SEAM));
  }
}
