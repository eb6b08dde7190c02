package org.veil.jdbc;

import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;

/**
 * The JNDI object factory for {@link VeilDataSource}: turns the {@link Reference} that
 * {@link VeilDataSource#getReference()} made back into a data source with the same pgjdbc
 * settings and the same Veil settings ({@code veil.columns}, key provider, …).
 *
 * <p>A reference that names an unknown {@code veil.*} setting is refused with an
 * {@link IllegalArgumentException}, rather than giving a data source without it. References to
 * other classes give null, as {@link ObjectFactory} requires. Stateless and thread-safe.
 */
public final class VeilDataSourceFactory implements ObjectFactory {

  @Override
  public Object getObjectInstance(Object obj, Name name, Context nameCtx,
      Hashtable<?, ?> environment) {
    if (!(obj instanceof Reference)
        || !VeilDataSource.class.getName().equals(((Reference) obj).getClassName())) {
      return null;
    }
    VeilDataSource dataSource = new VeilDataSource();
    dataSource.setFromReference((Reference) obj);
    return dataSource;
  }
}
