package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiParamsTest {
  @Test
  void parseTime_unixSecondsRoundedLikeGo() throws Exception {
    assertThat(ApiParams.parseTime("1.5")).isEqualTo(1500);
    assertThat(ApiParams.parseTime("1.0005")).isEqualTo(1000);
    assertThat(ApiParams.parseTime("1.0015")).isEqualTo(1002);
    assertThat(ApiParams.parseTime("-0.5")).isEqualTo(-500);
    assertThat(ApiParams.parseTime("1e9")).isEqualTo(1_000_000_000_000L);
    assertThat(ApiParams.parseTime("4")).isEqualTo(4000);
  }

  @Test
  void parseTime_rfc3339() throws Exception {
    assertThat(ApiParams.parseTime("2020-01-01T00:00:00.5Z")).isEqualTo(1577836800500L);
    assertThat(ApiParams.parseTime("2020-01-01T02:00:00+02:00")).isEqualTo(1577836800000L);
    assertThat(ApiParams.parseTime(ApiParams.MIN_TIME_STRING)).isEqualTo(ApiParams.MIN_TIME_MS);
    assertThat(ApiParams.parseTime(ApiParams.MAX_TIME_STRING)).isEqualTo(ApiParams.MAX_TIME_MS);
  }

  @Test
  void parseTime_bad_namesTheValue() {
    assertThatThrownBy(() -> ApiParams.parseTime("abc"))
        .hasMessage("cannot parse \"abc\" to a valid timestamp");
    assertThatThrownBy(() -> ApiParams.parseTime("1d"))
        .hasMessage("cannot parse \"1d\" to a valid timestamp");
    assertThatThrownBy(() -> ApiParams.parseTime("2020-01-01T00:00Z"))
        .isInstanceOf(ApiParams.BadParam.class);
  }

  @Test
  void parseDuration_floatSecondsOrPrometheusDuration() throws Exception {
    assertThat(ApiParams.parseDurationNanos("15")).isEqualTo(15_000_000_000L);
    assertThat(ApiParams.parseDurationNanos("1.5")).isEqualTo(1_500_000_000L);
    assertThat(ApiParams.parseDurationNanos("15s")).isEqualTo(15_000_000_000L);
    assertThat(ApiParams.parseDurationNanos("1m30s")).isEqualTo(90_000_000_000L);
    assertThat(ApiParams.parseDurationNanos("1d")).isEqualTo(86_400_000_000_000L);
    assertThatThrownBy(() -> ApiParams.parseDurationNanos(""))
        .hasMessage("cannot parse \"\" to a valid duration");
    assertThatThrownBy(() -> ApiParams.parseDurationNanos("1x"))
        .hasMessage("cannot parse \"1x\" to a valid duration");
  }

  @Test
  void validLabelName_followsPrometheus242() {
    assertThat(ApiParams.validLabelName("__name__")).isTrue();
    assertThat(ApiParams.validLabelName("a1")).isTrue();
    assertThat(ApiParams.validLabelName("1a")).isFalse();
    assertThat(ApiParams.validLabelName("a-b")).isFalse();
    assertThat(ApiParams.validLabelName("")).isFalse();
  }
}
