# Sourced by ./mvnw and ./braid: point JAVA_HOME at a JDK 25+ (the machine's default java may be older).
braid_java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | head -1 | grep -Eq '"(2[5-9]|[3-9][0-9])[."]'; }
if [ -z "${JAVA_HOME:-}" ] || ! braid_java_ok "$JAVA_HOME"; then
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/java-25*; do
    if braid_java_ok "$candidate"; then export JAVA_HOME="$candidate"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || ! braid_java_ok "$JAVA_HOME"; then
  echo "braid: needs JDK 25 or newer; install Temurin 25 (e.g. /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to one" >&2
  exit 1
fi
