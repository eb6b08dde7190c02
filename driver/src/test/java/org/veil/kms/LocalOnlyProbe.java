package org.veil.kms;

import java.util.Properties;
import java.util.concurrent.Callable;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellCodec;
import org.veil.crypto.ValueType;
import org.veil.keys.InMemoryBranchKeyStore;

/** Seals and opens one value with the local provider; loaded in a class loader without the SDK. */
public final class LocalOnlyProbe implements Callable<String> {
  private final String keyFile;

  public LocalOnlyProbe(String keyFile) {
    this.keyFile = keyFile;
  }

  @Override
  public String call() throws Exception {
    Properties props = new Properties();
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", keyFile);
    CellCodec.Builder builder = CellCodec.builderFromProperties(props, () -> {
      throw new java.sql.SQLException("no database in this probe");
    });
    try (CellCodec codec = builder.keyStore(new InMemoryBranchKeyStore()).build()) {
      ColumnPolicy column = ColumnPolicy.of("public", "t", "c", EncryptionMode.RANDOMIZED);
      byte[] cell = codec.seal(codec.beginRow(), column, ValueType.TEXT, "v");
      return "v".equals(codec.open(column, cell).value()) ? "round trip ok" : "mismatch";
    }
  }
}
