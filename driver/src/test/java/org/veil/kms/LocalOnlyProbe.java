package org.veil.kms;

import java.util.Properties;
import java.util.concurrent.Callable;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.keys.KeyHierarchy;
import org.veil.keys.KeyRing;
import org.veil.keys.MasterKeys;
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
    try (MasterKeys masters = MasterKeys.open(props, LocalOnlyProbe.class.getClassLoader());
        KeyHierarchy keys = KeyHierarchy.builder().keyRing(KeyRing.builder()
            .provider(masters.current()).store(new InMemoryBranchKeyStore())).build()) {
      CellColumn column = ColumnPolicy.of("public", "t", "c", EncryptionMode.RANDOMIZED)
          .cellColumn();
      CellCodec codec = keys.codec();
      byte[] cell = codec.seal(codec.beginRow(), column, ValueType.TEXT, "v", null);
      return "v".equals(codec.open(column, cell, null).value()) ? "round trip ok" : "mismatch";
    }
  }
}
