/// The gateway's OpenAPI 3.1 document, served at `GET /openapi.json`.
///
/// The one copy in the repository: a test checks it with openapi-spec-validator, that every route
/// the server answers is in it and every path in it is answered, and runs schemathesis against a
/// running gateway with it.
public enum GatewayOpenAPI {
    /// The document (JSON).
    public static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "DigitalSociety exchange gateway",
            "version": "1.0.0",
            "description": "A party's security server for the data exchange: signed (JWS) or confidential (JWE) envelopes in, sealed answers out, every refusal an RFC 9457 problem document naming the failed check. Documentation/Gateway.md and Documentation/Envelope.md describe the checks.",
            "license": {
              "name": "Apache-2.0",
              "identifier": "Apache-2.0"
            }
          },
          "servers": [
            {
              "url": "http://127.0.0.1:8080",
              "description": "a gateway on loopback (taizhou gateway serve)"
            }
          ],
          "paths": {
            "/v1/exchange": {
              "post": {
                "operationId": "exchange",
                "summary": "Send a request envelope; receive the sealed answer",
                "description": "The body is one envelope in compact serialization. The gateway opens it with every check (structure, decryption, signer key, key validity, signature, audience, time, confidentiality, replay, access), hands it to the handler of its `svc`, and answers with a response envelope whose `ref` is the request's digest. The same bytes sent again before the request's `exp` get the same answer (idempotent retry); a different envelope reusing a `jti` is refused with 409.",
                "parameters": [
                  {
                    "$ref": "#/components/parameters/traceparent"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "description": "One envelope. A body larger than the gateway's limit (1 MiB by default; `taizhou gateway serve` uses the tool's input limit, 8 MiB) is refused with 413 before it is read.",
                  "content": {
                    "application/jose": {
                      "schema": {
                        "type": "string"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The sealed answer (compact JWS, or compact JWE when the data is important or the request was encrypted).",
                    "headers": {
                      "traceparent": {
                        "$ref": "#/components/headers/traceparent"
                      }
                    },
                    "content": {
                      "application/jose": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "403": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "408": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "500": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/v1/trust-list": {
              "get": {
                "operationId": "trustList",
                "summary": "The signed trust list",
                "parameters": [
                  {
                    "$ref": "#/components/parameters/ifNoneMatch"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The trust list, a JWS in the flattened JSON serialization, signed by the root key.",
                    "headers": {
                      "ETag": {
                        "$ref": "#/components/headers/ETag"
                      },
                      "X-Version": {
                        "$ref": "#/components/headers/X-Version"
                      }
                    },
                    "content": {
                      "application/jose+json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  },
                  "304": {
                    "description": "Not modified: the entity tag given is the current one.",
                    "headers": {
                      "ETag": {
                        "$ref": "#/components/headers/ETag"
                      }
                    }
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/v1/status-lists/{id}": {
              "get": {
                "operationId": "statusList",
                "summary": "A signed certificate status list",
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "$ref": "#/components/parameters/ifNoneMatch"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The status list credential, a compact JWS (W3C Bitstring Status List).",
                    "headers": {
                      "ETag": {
                        "$ref": "#/components/headers/ETag"
                      },
                      "X-Version": {
                        "$ref": "#/components/headers/X-Version"
                      }
                    },
                    "content": {
                      "application/vc+jwt": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "304": {
                    "description": "Not modified.",
                    "headers": {
                      "ETag": {
                        "$ref": "#/components/headers/ETag"
                      }
                    }
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/v1/audit/checkpoint": {
              "get": {
                "operationId": "auditCheckpoint",
                "summary": "A signed checkpoint of the gateway's exchange-audit log",
                "description": "The tree size and root hash of the log, as a C2SP signed note: public, so anyone can hold the gateway to the log it showed.",
                "responses": {
                  "200": {
                    "description": "The signed checkpoint.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/board": {
              "get": {
                "operationId": "board",
                "summary": "The progress board (晾晒台): one static page, aggregates only, no script",
                "responses": {
                  "200": {
                    "description": "The page.",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "health",
                "summary": "Liveness: the process answers",
                "responses": {
                  "200": {
                    "description": "Alive.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "readiness",
                "summary": "Readiness: the audit log answers and the gateway is not shutting down",
                "responses": {
                  "200": {
                    "description": "Ready.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "summary": "Metrics in Prometheus's text format",
                "responses": {
                  "200": {
                    "description": "exchange_requests_total and exchange_request_duration_seconds.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {
                  "200": {
                    "description": "The OpenAPI document.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Problem": {
                "type": "object",
                "required": [
                  "type",
                  "title",
                  "status",
                  "detail",
                  "check"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "description": "urn:digitalsociety:problem:CHECK"
                  },
                  "title": {
                    "type": "string"
                  },
                  "status": {
                    "type": "integer",
                    "minimum": 100,
                    "maximum": 599
                  },
                  "detail": {
                    "type": "string",
                    "description": "What was wrong; never a personal value."
                  },
                  "check": {
                    "type": "string",
                    "description": "The check that refused the request: structure, encryption, signer-key, key-validity, signature, audience, time, confidentiality, replay, access, request-reference, audit, size, timeout, media-type, service, handler, not-found, request-data, readiness, route, internal."
                  }
                }
              }
            },
            "responses": {
              "Problem": {
                "description": "A refusal (RFC 9457).",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              }
            },
            "parameters": {
              "traceparent": {
                "name": "traceparent",
                "in": "header",
                "required": false,
                "description": "W3C Trace Context: the gateway logs the trace id and answers with its own span in the same trace.",
                "schema": {
                  "type": "string"
                }
              },
              "ifNoneMatch": {
                "name": "If-None-Match",
                "in": "header",
                "required": false,
                "schema": {
                  "type": "string"
                }
              }
            },
            "headers": {
              "traceparent": {
                "description": "The gateway's span in the caller's trace.",
                "schema": {
                  "type": "string"
                }
              },
              "ETag": {
                "description": "The entity tag of the document's version.",
                "required": true,
                "schema": {
                  "type": "string"
                }
              },
              "X-Version": {
                "description": "The document's version.",
                "required": true,
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+$"
                }
              }
            }
          }
        }
        """#
}
