package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraExtension.class)
class CassandraExtensionTest {
  @Test
  void keyspace_isFreshAndWritable(CassandraExtension.CassandraKeyspace ks) {
    var s = ks.session();
    assertThat(s.getMetadata().getKeyspace(ks.name())).isPresent();
    assertThat(s.getMetadata().getKeyspace(ks.name()).get().getTables()).isEmpty();
    s.execute("CREATE TABLE " + ks.name() + ".t (hash text, range blob, value blob, PRIMARY KEY (hash, range))");
    s.execute(
        "INSERT INTO " + ks.name() + ".t (hash, range, value) VALUES ('h', 0x00, 0xcafe)");
    Row r = s.execute("SELECT value FROM " + ks.name() + ".t WHERE hash = 'h'").one();
    assertThat(r).isNotNull();
    ByteBuffer v = r.getByteBuffer("value");
    assertThat(v.remaining()).isEqualTo(2);
    assertThat(v.get(v.position()) & 0xff).isEqualTo(0xca);
  }

  @Test
  void releaseVersion_isCassandra5(CassandraExtension.CassandraKeyspace ks) {
    String v = ks.session().execute("SELECT release_version FROM system.local").one().getString(0);
    assertThat(v).startsWith("5.0");
  }
}
