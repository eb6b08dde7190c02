package org.veil.bench.e2e;

import java.util.List;

/** Every contender, in report order. Plain pgjdbc first: the ratios are taken against it. */
final class Contenders {

  private Contenders() {}

  static List<Contender> all() {
    return List.of(
        new PlainPgjdbc(),
        new StaticKeyAesGcm(),
        VeilContender.withoutEncryptedColumns(),
        VeilContender.randomized(),
        VeilContender.randomizedOnAccp(),
        VeilContender.deterministic(),
        VeilContender.direct(),
        new Pgcrypto(),
        new ShardingSphereEncrypt());
  }
}
