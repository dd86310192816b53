# otelcol-authobs image: the static ocb binary on an empty base.
#
# Build (from the repository root; buildah and `docker buildx` both accept the same flags):
#
#   make collector
#   buildah build --build-context certs=/etc/ssl/certs -t otelcol-authobs:0.1.0 .
#   docker buildx build --build-context certs=/etc/ssl/certs -t otelcol-authobs:0.1.0 .
#
# The `certs` build context is a directory holding `ca-certificates.crt` (the build host's
# bundle above, or your organisation's own), which the exporters need to verify TLS backends.
# `make collector` builds with CGO_ENABLED=0 (ocb's default), so the binary needs no libc.
#
# Run: the default configuration is config/gateway.yaml (it needs AUTHOBS_FINGERPRINT_KEY and
# the backend variables it lists); mount your own at /etc/otelcol-authobs/config.yaml or pass
# --config. Mount a volume at /var/lib/otelcol/file_storage for durable queues.
FROM scratch

# uid/gid 10001, as the collector's official images: no /etc/passwd is needed for a numeric user.
ARG USER_UID=10001
ARG USER_GID=10001

COPY --from=certs ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chown=${USER_UID}:${USER_GID} deploy/docker/file_storage/ /var/lib/otelcol/file_storage/
COPY --chmod=0755 _build/otelcol-authobs /otelcol-authobs
COPY config/gateway.yaml /etc/otelcol-authobs/config.yaml

USER ${USER_UID}:${USER_GID}
WORKDIR /var/lib/otelcol/file_storage

# OTLP/gRPC, OTLP/HTTP, health_check.
EXPOSE 4317 4318 13133

ENTRYPOINT ["/otelcol-authobs"]
CMD ["--config", "/etc/otelcol-authobs/config.yaml"]
