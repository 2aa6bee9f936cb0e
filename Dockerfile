# syntax=docker/dockerfile:1
# Build: a static binary (pure-Go SQLite, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/imperio ./cmd/imperio \
 && mkdir -p /out/data

# Run: distroless static, as a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/imperio /usr/local/bin/imperio
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /
USER nonroot:nonroot
ENV IMPERIO_ADDR=0.0.0.0:8080 \
    IMPERIO_DATABASE_URL=sqlite:/data/imperio.db \
    IMPERIO_LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/imperio"]
CMD ["serve"]
