package org.veil.jdbc;

import java.util.Enumeration;
import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.RefAddr;
import javax.naming.Reference;
import javax.naming.spi.ObjectFactory;
import org.veil.config.VeilProperty;

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
    Reference ref = (Reference) obj;
    VeilDataSource dataSource = new VeilDataSource();
    dataSource.setFromReference(ref);
    for (Enumeration<RefAddr> addrs = ref.getAll(); addrs.hasMoreElements(); ) {
      RefAddr addr = addrs.nextElement();
      if (VeilProperty.isVeilName(addr.getType())) {
        dataSource.setVeilProperty(addr.getType(), (String) addr.getContent());
      }
    }
    return dataSource;
  }
}
