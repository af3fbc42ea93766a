// Generated from the .proto files by `npm run descriptors -w @clusterfunk/proto`: do not edit.
// A test regenerates it and fails when it no longer matches the .proto files.
import type { ProtoFile } from './files.js'

/** protobufjs JSON (`Root.toJSON()`) of each file. */
export const DESCRIPTORS: Readonly<Record<ProtoFile, object>> = {
  "swim.proto": {
    "nested": {
      "clusterfunk": {
        "nested": {
          "swim": {
            "nested": {
              "ProtocolVersion": {
                "values": {
                  "PROTOCOL_VERSION_UNSPECIFIED": 0,
                  "PROTOCOL_VERSION_1": 1
                }
              },
              "Packet": {
                "fields": {
                  "version": {
                    "type": "ProtocolVersion",
                    "id": 1
                  },
                  "messages": {
                    "rule": "repeated",
                    "type": "Message",
                    "id": 2
                  }
                }
              },
              "Message": {
                "oneofs": {
                  "body": {
                    "oneof": [
                      "ping",
                      "indirectPing",
                      "ack",
                      "nack",
                      "suspect",
                      "alive",
                      "dead",
                      "userEvent",
                      "query",
                      "queryResponse"
                    ]
                  }
                },
                "fields": {
                  "ping": {
                    "type": "Ping",
                    "id": 1
                  },
                  "indirectPing": {
                    "type": "IndirectPing",
                    "id": 2
                  },
                  "ack": {
                    "type": "Ack",
                    "id": 3
                  },
                  "nack": {
                    "type": "Nack",
                    "id": 4
                  },
                  "suspect": {
                    "type": "Suspect",
                    "id": 5
                  },
                  "alive": {
                    "type": "Alive",
                    "id": 6
                  },
                  "dead": {
                    "type": "Dead",
                    "id": 7
                  },
                  "userEvent": {
                    "type": "UserEvent",
                    "id": 8
                  },
                  "query": {
                    "type": "Query",
                    "id": 9
                  },
                  "queryResponse": {
                    "type": "QueryResponse",
                    "id": 10
                  }
                }
              },
              "Ping": {
                "fields": {
                  "seq": {
                    "type": "uint32",
                    "id": 1
                  },
                  "target": {
                    "type": "string",
                    "id": 2
                  },
                  "source": {
                    "type": "string",
                    "id": 3
                  },
                  "sourceAddress": {
                    "type": "string",
                    "id": 4
                  }
                }
              },
              "IndirectPing": {
                "fields": {
                  "seq": {
                    "type": "uint32",
                    "id": 1
                  },
                  "target": {
                    "type": "string",
                    "id": 2
                  },
                  "targetAddress": {
                    "type": "string",
                    "id": 3
                  },
                  "wantNack": {
                    "type": "bool",
                    "id": 4
                  },
                  "source": {
                    "type": "string",
                    "id": 5
                  },
                  "sourceAddress": {
                    "type": "string",
                    "id": 6
                  }
                }
              },
              "Ack": {
                "fields": {
                  "seq": {
                    "type": "uint32",
                    "id": 1
                  },
                  "source": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "Nack": {
                "fields": {
                  "seq": {
                    "type": "uint32",
                    "id": 1
                  },
                  "source": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "Suspect": {
                "fields": {
                  "node": {
                    "type": "string",
                    "id": 1
                  },
                  "incarnation": {
                    "type": "uint32",
                    "id": 2
                  },
                  "from": {
                    "type": "string",
                    "id": 3
                  }
                }
              },
              "Alive": {
                "fields": {
                  "node": {
                    "type": "string",
                    "id": 1
                  },
                  "incarnation": {
                    "type": "uint32",
                    "id": 2
                  },
                  "address": {
                    "type": "string",
                    "id": 3
                  },
                  "tags": {
                    "keyType": "string",
                    "type": "string",
                    "id": 4
                  }
                }
              },
              "Dead": {
                "fields": {
                  "node": {
                    "type": "string",
                    "id": 1
                  },
                  "incarnation": {
                    "type": "uint32",
                    "id": 2
                  },
                  "from": {
                    "type": "string",
                    "id": 3
                  }
                }
              },
              "UserEvent": {
                "fields": {
                  "ltime": {
                    "type": "uint32",
                    "id": 1
                  },
                  "origin": {
                    "type": "string",
                    "id": 2
                  },
                  "name": {
                    "type": "string",
                    "id": 3
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 4
                  },
                  "coalesce": {
                    "type": "bool",
                    "id": 5
                  }
                }
              },
              "Query": {
                "fields": {
                  "ltime": {
                    "type": "uint32",
                    "id": 1
                  },
                  "id": {
                    "type": "uint32",
                    "id": 2
                  },
                  "origin": {
                    "type": "string",
                    "id": 3
                  },
                  "originAddress": {
                    "type": "string",
                    "id": 4
                  },
                  "name": {
                    "type": "string",
                    "id": 5
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 6
                  },
                  "filterNodes": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 7
                  },
                  "filterTags": {
                    "keyType": "string",
                    "type": "string",
                    "id": 8
                  },
                  "timeoutMs": {
                    "type": "uint32",
                    "id": 9
                  },
                  "wantAck": {
                    "type": "bool",
                    "id": 10
                  }
                }
              },
              "QueryResponse": {
                "fields": {
                  "id": {
                    "type": "uint32",
                    "id": 1
                  },
                  "ltime": {
                    "type": "uint32",
                    "id": 2
                  },
                  "from": {
                    "type": "string",
                    "id": 3
                  },
                  "ack": {
                    "type": "bool",
                    "id": 4
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 5
                  }
                }
              },
              "MemberStatus": {
                "values": {
                  "MEMBER_STATUS_UNSPECIFIED": 0,
                  "MEMBER_STATUS_ALIVE": 1,
                  "MEMBER_STATUS_SUSPECT": 2,
                  "MEMBER_STATUS_DEAD": 3,
                  "MEMBER_STATUS_LEFT": 4
                }
              },
              "MemberState": {
                "fields": {
                  "node": {
                    "type": "string",
                    "id": 1
                  },
                  "address": {
                    "type": "string",
                    "id": 2
                  },
                  "incarnation": {
                    "type": "uint32",
                    "id": 3
                  },
                  "status": {
                    "type": "MemberStatus",
                    "id": 4
                  },
                  "tags": {
                    "keyType": "string",
                    "type": "string",
                    "id": 5
                  }
                }
              },
              "PushPull": {
                "fields": {
                  "version": {
                    "type": "ProtocolVersion",
                    "id": 1
                  },
                  "join": {
                    "type": "bool",
                    "id": 2
                  },
                  "members": {
                    "rule": "repeated",
                    "type": "MemberState",
                    "id": 3
                  },
                  "events": {
                    "rule": "repeated",
                    "type": "UserEvent",
                    "id": 4
                  },
                  "eventLtime": {
                    "type": "uint32",
                    "id": 5
                  },
                  "queryLtime": {
                    "type": "uint32",
                    "id": 6
                  }
                }
              }
            }
          }
        }
      }
    }
  },
  "liveness.proto": {
    "nested": {
      "clusterfunk": {
        "nested": {
          "liveness": {
            "nested": {
              "Kind": {
                "values": {
                  "KIND_UNSPECIFIED": 0,
                  "KIND_PROBE": 1,
                  "KIND_REPLY": 2
                }
              },
              "Packet": {
                "fields": {
                  "version": {
                    "type": "uint32",
                    "id": 1
                  },
                  "kind": {
                    "type": "Kind",
                    "id": 2
                  },
                  "nonce": {
                    "type": "fixed64",
                    "id": 3
                  },
                  "target": {
                    "type": "string",
                    "id": 4
                  },
                  "mac": {
                    "type": "bytes",
                    "id": 5
                  },
                  "checker": {
                    "type": "fixed64",
                    "id": 6
                  },
                  "sentAtMs": {
                    "type": "fixed64",
                    "id": 7
                  }
                }
              }
            }
          }
        }
      }
    }
  },
  "sharding.proto": {
    "nested": {
      "clusterfunk": {
        "nested": {
          "sharding": {
            "nested": {
              "Node": {
                "fields": {
                  "id": {
                    "type": "string",
                    "id": 1
                  },
                  "weight": {
                    "type": "uint32",
                    "id": 2
                  }
                }
              },
              "ShardMap": {
                "fields": {
                  "version": {
                    "type": "uint32",
                    "id": 1
                  },
                  "nodeCount": {
                    "type": "uint32",
                    "id": 2
                  },
                  "shardCount": {
                    "type": "uint32",
                    "id": 3
                  },
                  "nodes": {
                    "rule": "repeated",
                    "type": "Node",
                    "id": 4
                  },
                  "ownerWidth": {
                    "type": "uint32",
                    "id": 5
                  },
                  "owners": {
                    "type": "bytes",
                    "id": 6
                  },
                  "replicationFactor": {
                    "type": "uint32",
                    "id": 7
                  },
                  "replicas": {
                    "type": "bytes",
                    "id": 8
                  }
                }
              }
            }
          }
        }
      }
    }
  },
  "cluster.proto": {
    "nested": {
      "clusterfunk": {
        "nested": {
          "cluster": {
            "nested": {
              "FormatVersion": {
                "values": {
                  "FORMAT_VERSION_UNSPECIFIED": 0,
                  "FORMAT_VERSION_1": 1
                }
              },
              "Command": {
                "oneofs": {
                  "body": {
                    "oneof": [
                      "propose",
                      "commit",
                      "coordination"
                    ]
                  }
                },
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "propose": {
                    "type": "ProposeShardMap",
                    "id": 2
                  },
                  "commit": {
                    "type": "CommitShardMap",
                    "id": 3
                  },
                  "coordination": {
                    "type": "CoordinationCommand",
                    "id": 16
                  }
                }
              },
              "ProposeShardMap": {
                "fields": {
                  "mapVersion": {
                    "type": "uint64",
                    "id": 1
                  },
                  "shardMap": {
                    "type": "bytes",
                    "id": 2
                  }
                }
              },
              "CommitShardMap": {
                "fields": {
                  "mapVersion": {
                    "type": "uint64",
                    "id": 1
                  }
                }
              },
              "CoordinatorState": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "maxVersion": {
                    "type": "uint64",
                    "id": 2
                  },
                  "committedVersion": {
                    "type": "uint64",
                    "id": 3
                  },
                  "committedMap": {
                    "type": "bytes",
                    "id": 4
                  },
                  "pendingVersion": {
                    "type": "uint64",
                    "id": 5
                  },
                  "pendingMap": {
                    "type": "bytes",
                    "id": 6
                  }
                }
              },
              "ShardMapAck": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "mapVersion": {
                    "type": "uint64",
                    "id": 2
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 3
                  }
                }
              },
              "CoordinationCommand": {
                "oneofs": {
                  "op": {
                    "oneof": [
                      "statePut",
                      "stateDelete",
                      "lockAcquire",
                      "lockRenew",
                      "lockRelease",
                      "lockExpire",
                      "lockCancel",
                      "lockDropNode"
                    ]
                  }
                },
                "fields": {
                  "requestId": {
                    "type": "string",
                    "id": 1
                  },
                  "atMs": {
                    "type": "int64",
                    "id": 2
                  },
                  "statePut": {
                    "type": "StatePutCommand",
                    "id": 3
                  },
                  "stateDelete": {
                    "type": "StateDeleteCommand",
                    "id": 4
                  },
                  "lockAcquire": {
                    "type": "LockAcquireCommand",
                    "id": 5
                  },
                  "lockRenew": {
                    "type": "LockTokenCommand",
                    "id": 6
                  },
                  "lockRelease": {
                    "type": "LockTokenCommand",
                    "id": 7
                  },
                  "lockExpire": {
                    "type": "LockTokenCommand",
                    "id": 8
                  },
                  "lockCancel": {
                    "type": "LockCancelCommand",
                    "id": 9
                  },
                  "lockDropNode": {
                    "type": "LockDropNodeCommand",
                    "id": 10
                  }
                }
              },
              "StatePutCommand": {
                "fields": {
                  "key": {
                    "type": "string",
                    "id": 1
                  },
                  "value": {
                    "type": "bytes",
                    "id": 2
                  },
                  "hasExpected": {
                    "type": "bool",
                    "id": 3
                  },
                  "expectedRevision": {
                    "type": "uint64",
                    "id": 4
                  }
                }
              },
              "StateDeleteCommand": {
                "fields": {
                  "key": {
                    "type": "string",
                    "id": 1
                  },
                  "hasExpected": {
                    "type": "bool",
                    "id": 2
                  },
                  "expectedRevision": {
                    "type": "uint64",
                    "id": 3
                  }
                }
              },
              "LockAcquireCommand": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "owner": {
                    "type": "string",
                    "id": 2
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 3
                  },
                  "ttlMs": {
                    "type": "uint32",
                    "id": 4
                  },
                  "waitMs": {
                    "type": "uint64",
                    "id": 5
                  }
                }
              },
              "LockTokenCommand": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "token": {
                    "type": "uint64",
                    "id": 2
                  }
                }
              },
              "LockCancelCommand": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "owner": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "LockDropNodeCommand": {
                "fields": {
                  "nodeId": {
                    "type": "string",
                    "id": 1
                  }
                }
              },
              "NodeSnapshot": {
                "fields": {
                  "snapshotFormat": {
                    "type": "uint32",
                    "id": 15
                  },
                  "coordinator": {
                    "type": "bytes",
                    "id": 16
                  },
                  "coordination": {
                    "type": "bytes",
                    "id": 17
                  }
                }
              },
              "CoordinationState": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 2
                  },
                  "entries": {
                    "rule": "repeated",
                    "type": "StateRecord",
                    "id": 3
                  },
                  "history": {
                    "rule": "repeated",
                    "type": "StateHistoryRecord",
                    "id": 4
                  },
                  "locks": {
                    "rule": "repeated",
                    "type": "LockRecord",
                    "id": 5
                  }
                }
              },
              "StateRecord": {
                "fields": {
                  "key": {
                    "type": "string",
                    "id": 1
                  },
                  "value": {
                    "type": "bytes",
                    "id": 2
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 3
                  },
                  "createdRevision": {
                    "type": "uint64",
                    "id": 4
                  },
                  "writtenAtMs": {
                    "type": "int64",
                    "id": 5
                  }
                }
              },
              "StateHistoryRecord": {
                "fields": {
                  "deleted": {
                    "type": "bool",
                    "id": 1
                  },
                  "key": {
                    "type": "string",
                    "id": 2
                  },
                  "value": {
                    "type": "bytes",
                    "id": 3
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 4
                  },
                  "writtenAtMs": {
                    "type": "int64",
                    "id": 5
                  }
                }
              },
              "LockRecord": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "holder": {
                    "type": "LockHolderRecord",
                    "id": 2
                  },
                  "waiters": {
                    "rule": "repeated",
                    "type": "LockWaiterRecord",
                    "id": 3
                  }
                }
              },
              "LockHolderRecord": {
                "fields": {
                  "owner": {
                    "type": "string",
                    "id": 1
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 2
                  },
                  "token": {
                    "type": "uint64",
                    "id": 3
                  },
                  "ttlMs": {
                    "type": "uint32",
                    "id": 4
                  },
                  "grantedAtMs": {
                    "type": "int64",
                    "id": 5
                  },
                  "expiresAtMs": {
                    "type": "int64",
                    "id": 6
                  }
                }
              },
              "LockWaiterRecord": {
                "fields": {
                  "owner": {
                    "type": "string",
                    "id": 1
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 2
                  },
                  "ttlMs": {
                    "type": "uint32",
                    "id": 3
                  },
                  "queuedAtMs": {
                    "type": "int64",
                    "id": 4
                  },
                  "deadlineMs": {
                    "type": "int64",
                    "id": 5
                  }
                }
              }
            }
          }
        }
      }
    }
  },
  "raft.proto": {
    "nested": {
      "clusterfunk": {
        "nested": {
          "raft": {
            "nested": {
              "ProtocolVersion": {
                "values": {
                  "PROTOCOL_VERSION_UNSPECIFIED": 0,
                  "PROTOCOL_VERSION_1": 1
                }
              },
              "Member": {
                "fields": {
                  "id": {
                    "type": "string",
                    "id": 1
                  },
                  "address": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "Configuration": {
                "fields": {
                  "voters": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 1
                  },
                  "nonVoters": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 2
                  }
                }
              },
              "EntryType": {
                "values": {
                  "ENTRY_TYPE_NORMAL": 0,
                  "ENTRY_TYPE_CONFIG": 1,
                  "ENTRY_TYPE_NOOP": 2
                }
              },
              "Entry": {
                "fields": {
                  "index": {
                    "type": "uint64",
                    "id": 1
                  },
                  "term": {
                    "type": "uint64",
                    "id": 2
                  },
                  "type": {
                    "type": "EntryType",
                    "id": 3
                  },
                  "data": {
                    "type": "bytes",
                    "id": 4
                  },
                  "configuration": {
                    "type": "Configuration",
                    "id": 5
                  }
                }
              },
              "HardState": {
                "fields": {
                  "term": {
                    "type": "uint64",
                    "id": 1
                  },
                  "vote": {
                    "type": "string",
                    "id": 2
                  },
                  "commit": {
                    "type": "uint64",
                    "id": 3
                  }
                }
              },
              "SnapshotMetadata": {
                "fields": {
                  "index": {
                    "type": "uint64",
                    "id": 1
                  },
                  "term": {
                    "type": "uint64",
                    "id": 2
                  },
                  "configuration": {
                    "type": "Configuration",
                    "id": 3
                  }
                }
              },
              "VoteRequest": {
                "fields": {
                  "lastLogIndex": {
                    "type": "uint64",
                    "id": 1
                  },
                  "lastLogTerm": {
                    "type": "uint64",
                    "id": 2
                  },
                  "leadershipTransfer": {
                    "type": "bool",
                    "id": 3
                  }
                }
              },
              "VoteResponse": {
                "fields": {
                  "granted": {
                    "type": "bool",
                    "id": 1
                  }
                }
              },
              "AppendEntriesRequest": {
                "fields": {
                  "prevLogIndex": {
                    "type": "uint64",
                    "id": 1
                  },
                  "prevLogTerm": {
                    "type": "uint64",
                    "id": 2
                  },
                  "entries": {
                    "rule": "repeated",
                    "type": "Entry",
                    "id": 3
                  },
                  "commit": {
                    "type": "uint64",
                    "id": 4
                  }
                }
              },
              "AppendEntriesResponse": {
                "fields": {
                  "success": {
                    "type": "bool",
                    "id": 1
                  },
                  "matchIndex": {
                    "type": "uint64",
                    "id": 2
                  },
                  "rejectedIndex": {
                    "type": "uint64",
                    "id": 3
                  },
                  "conflictTerm": {
                    "type": "uint64",
                    "id": 4
                  },
                  "conflictIndex": {
                    "type": "uint64",
                    "id": 5
                  }
                }
              },
              "HeartbeatRequest": {
                "fields": {
                  "commit": {
                    "type": "uint64",
                    "id": 1
                  },
                  "readSeq": {
                    "type": "uint64",
                    "id": 2
                  }
                }
              },
              "HeartbeatResponse": {
                "fields": {
                  "readSeq": {
                    "type": "uint64",
                    "id": 1
                  }
                }
              },
              "InstallSnapshotRequest": {
                "fields": {
                  "snapshot": {
                    "type": "SnapshotMetadata",
                    "id": 1
                  }
                }
              },
              "TimeoutNowRequest": {
                "fields": {}
              },
              "ReadIndexRequest": {
                "fields": {
                  "requestId": {
                    "type": "string",
                    "id": 1
                  }
                }
              },
              "ReadIndexResponse": {
                "fields": {
                  "requestId": {
                    "type": "string",
                    "id": 1
                  },
                  "index": {
                    "type": "uint64",
                    "id": 2
                  }
                }
              },
              "RaftMessage": {
                "oneofs": {
                  "body": {
                    "oneof": [
                      "voteRequest",
                      "preVoteRequest",
                      "voteResponse",
                      "preVoteResponse",
                      "appendEntries",
                      "appendEntriesResponse",
                      "heartbeat",
                      "heartbeatResponse",
                      "installSnapshot",
                      "timeoutNow",
                      "readIndexRequest",
                      "readIndexResponse"
                    ]
                  }
                },
                "fields": {
                  "version": {
                    "type": "ProtocolVersion",
                    "id": 1
                  },
                  "from": {
                    "type": "string",
                    "id": 2
                  },
                  "to": {
                    "type": "string",
                    "id": 3
                  },
                  "term": {
                    "type": "uint64",
                    "id": 4
                  },
                  "voteRequest": {
                    "type": "VoteRequest",
                    "id": 10
                  },
                  "preVoteRequest": {
                    "type": "VoteRequest",
                    "id": 11
                  },
                  "voteResponse": {
                    "type": "VoteResponse",
                    "id": 12
                  },
                  "preVoteResponse": {
                    "type": "VoteResponse",
                    "id": 13
                  },
                  "appendEntries": {
                    "type": "AppendEntriesRequest",
                    "id": 14
                  },
                  "appendEntriesResponse": {
                    "type": "AppendEntriesResponse",
                    "id": 15
                  },
                  "heartbeat": {
                    "type": "HeartbeatRequest",
                    "id": 16
                  },
                  "heartbeatResponse": {
                    "type": "HeartbeatResponse",
                    "id": 17
                  },
                  "installSnapshot": {
                    "type": "InstallSnapshotRequest",
                    "id": 18
                  },
                  "timeoutNow": {
                    "type": "TimeoutNowRequest",
                    "id": 19
                  },
                  "readIndexRequest": {
                    "type": "ReadIndexRequest",
                    "id": 20
                  },
                  "readIndexResponse": {
                    "type": "ReadIndexResponse",
                    "id": 21
                  },
                  "seq": {
                    "type": "fixed64",
                    "id": 30
                  },
                  "mac": {
                    "type": "bytes",
                    "id": 31
                  }
                }
              },
              "SnapshotChunk": {
                "fields": {
                  "header": {
                    "type": "RaftMessage",
                    "id": 1
                  },
                  "offset": {
                    "type": "uint64",
                    "id": 2
                  },
                  "data": {
                    "type": "bytes",
                    "id": 3
                  },
                  "last": {
                    "type": "bool",
                    "id": 4
                  },
                  "crc32": {
                    "type": "uint32",
                    "id": 5
                  },
                  "seq": {
                    "type": "fixed64",
                    "id": 30
                  },
                  "mac": {
                    "type": "bytes",
                    "id": 31
                  }
                }
              },
              "SendResult": {
                "fields": {}
              },
              "InstallSnapshotResult": {
                "fields": {
                  "ok": {
                    "type": "bool",
                    "id": 1
                  }
                }
              },
              "RaftTransport": {
                "methods": {
                  "Send": {
                    "requestType": "RaftMessage",
                    "requestStream": true,
                    "responseType": "SendResult"
                  },
                  "Deliver": {
                    "requestType": "RaftMessage",
                    "responseType": "SendResult"
                  },
                  "InstallSnapshot": {
                    "requestType": "SnapshotChunk",
                    "requestStream": true,
                    "responseType": "InstallSnapshotResult"
                  }
                }
              }
            }
          }
        }
      }
    }
  },
  "management.proto": {
    "nested": {
      "clusterfunk": {
        "nested": {
          "management": {
            "nested": {
              "FormatVersion": {
                "values": {
                  "FORMAT_VERSION_UNSPECIFIED": 0,
                  "FORMAT_VERSION_1": 1
                }
              },
              "Management": {
                "methods": {
                  "GetStatus": {
                    "requestType": "GetStatusRequest",
                    "responseType": "GetStatusResponse"
                  },
                  "ListNodes": {
                    "requestType": "ListNodesRequest",
                    "responseType": "ListNodesResponse"
                  },
                  "AddNode": {
                    "requestType": "AddNodeRequest",
                    "responseType": "AddNodeResponse"
                  },
                  "RemoveNode": {
                    "requestType": "RemoveNodeRequest",
                    "responseType": "RemoveNodeResponse"
                  },
                  "StepDown": {
                    "requestType": "StepDownRequest",
                    "responseType": "StepDownResponse"
                  },
                  "ListShards": {
                    "requestType": "ListShardsRequest",
                    "responseType": "ListShardsResponse"
                  },
                  "ListEndpoints": {
                    "requestType": "ListEndpointsRequest",
                    "responseType": "ListEndpointsResponse"
                  },
                  "FindEndpoint": {
                    "requestType": "FindEndpointRequest",
                    "responseType": "FindEndpointResponse"
                  },
                  "WatchEvents": {
                    "requestType": "WatchEventsRequest",
                    "responseType": "ClusterEvent",
                    "responseStream": true
                  },
                  "AckShardMap": {
                    "requestType": "AckShardMapRequest",
                    "responseType": "AckShardMapResponse"
                  },
                  "StateGet": {
                    "requestType": "StateGetRequest",
                    "responseType": "StateGetResponse"
                  },
                  "StateList": {
                    "requestType": "StateListRequest",
                    "responseType": "StateListResponse"
                  },
                  "StateWrite": {
                    "requestType": "StateWriteRequest",
                    "responseType": "StateWriteResponse"
                  },
                  "StateWatch": {
                    "requestType": "StateWatchRequest",
                    "responseType": "StateChange",
                    "responseStream": true
                  },
                  "LockCall": {
                    "requestType": "LockCallRequest",
                    "responseType": "LockCallResponse"
                  },
                  "ListLocks": {
                    "requestType": "ListLocksRequest",
                    "responseType": "ListLocksResponse"
                  },
                  "Request": {
                    "requestType": "NodeRequest",
                    "responseType": "NodeResponse"
                  },
                  "FireEvent": {
                    "requestType": "FireEventRequest",
                    "responseType": "FireEventResponse"
                  },
                  "Query": {
                    "requestType": "QueryRequest",
                    "responseType": "QueryReply",
                    "responseStream": true
                  },
                  "GetMemberInfo": {
                    "requestType": "GetMemberInfoRequest",
                    "responseType": "GetMemberInfoResponse"
                  }
                }
              },
              "Role": {
                "values": {
                  "ROLE_UNSPECIFIED": 0,
                  "ROLE_LEADER": 1,
                  "ROLE_FOLLOWER": 2,
                  "ROLE_NON_VOTER": 3,
                  "ROLE_NON_MEMBER": 4
                }
              },
              "State": {
                "values": {
                  "STATE_UNSPECIFIED": 0,
                  "STATE_STARTING": 1,
                  "STATE_JOINING": 2,
                  "STATE_VOTING": 3,
                  "STATE_RESHARDING": 4,
                  "STATE_OPERATIONAL": 5,
                  "STATE_STOPPING": 6,
                  "STATE_INVALID": 7
                }
              },
              "Suffrage": {
                "values": {
                  "SUFFRAGE_UNSPECIFIED": 0,
                  "SUFFRAGE_VOTER": 1,
                  "SUFFRAGE_NON_VOTER": 2,
                  "SUFFRAGE_NONE": 3
                }
              },
              "SwimStatus": {
                "values": {
                  "SWIM_STATUS_UNSPECIFIED": 0,
                  "SWIM_STATUS_ALIVE": 1,
                  "SWIM_STATUS_SUSPECT": 2,
                  "SWIM_STATUS_DEAD": 3,
                  "SWIM_STATUS_LEFT": 4,
                  "SWIM_STATUS_UNKNOWN": 5
                }
              },
              "LivenessStatus": {
                "values": {
                  "LIVENESS_STATUS_UNSPECIFIED": 0,
                  "LIVENESS_STATUS_ALIVE": 1,
                  "LIVENESS_STATUS_DEAD": 2,
                  "LIVENESS_STATUS_UNKNOWN": 3
                }
              },
              "GetStatusRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "GetStatusResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 2
                  },
                  "leaderId": {
                    "type": "string",
                    "id": 3
                  },
                  "clusterName": {
                    "type": "string",
                    "id": 4
                  },
                  "role": {
                    "type": "Role",
                    "id": 5
                  },
                  "state": {
                    "type": "State",
                    "id": 6
                  },
                  "raftMembers": {
                    "type": "uint32",
                    "id": 7
                  },
                  "swimMembers": {
                    "type": "uint32",
                    "id": 8
                  },
                  "shardCount": {
                    "type": "uint32",
                    "id": 9
                  },
                  "shardMapVersion": {
                    "type": "uint64",
                    "id": 10
                  },
                  "createdMs": {
                    "type": "int64",
                    "id": 11
                  },
                  "callerAddress": {
                    "type": "string",
                    "id": 12
                  },
                  "raftTerm": {
                    "type": "uint64",
                    "id": 13
                  },
                  "raftCommitIndex": {
                    "type": "uint64",
                    "id": 14
                  },
                  "raftAppliedIndex": {
                    "type": "uint64",
                    "id": 15
                  },
                  "raftVoters": {
                    "type": "uint32",
                    "id": 16
                  },
                  "version": {
                    "type": "string",
                    "id": 17
                  }
                }
              },
              "Endpoint": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "address": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "NodeInfo": {
                "fields": {
                  "id": {
                    "type": "string",
                    "id": 1
                  },
                  "suffrage": {
                    "type": "Suffrage",
                    "id": 2
                  },
                  "swimStatus": {
                    "type": "SwimStatus",
                    "id": 3
                  },
                  "livenessStatus": {
                    "type": "LivenessStatus",
                    "id": 4
                  },
                  "leader": {
                    "type": "bool",
                    "id": 5
                  },
                  "endpoints": {
                    "rule": "repeated",
                    "type": "Endpoint",
                    "id": 6
                  }
                }
              },
              "ListNodesRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "ListNodesResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "nodes": {
                    "rule": "repeated",
                    "type": "NodeInfo",
                    "id": 2
                  }
                }
              },
              "AddNodeRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "id": {
                    "type": "string",
                    "id": 2
                  },
                  "address": {
                    "type": "string",
                    "id": 3
                  },
                  "nonVoter": {
                    "type": "bool",
                    "id": 4
                  }
                }
              },
              "AddNodeResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "RemoveNodeRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "id": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "RemoveNodeResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "StepDownRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "StepDownResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "NodeShards": {
                "fields": {
                  "nodeId": {
                    "type": "string",
                    "id": 1
                  },
                  "shards": {
                    "type": "uint32",
                    "id": 2
                  },
                  "percent": {
                    "type": "double",
                    "id": 3
                  },
                  "replicas": {
                    "type": "uint32",
                    "id": 4
                  }
                }
              },
              "ListShardsRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "ListShardsResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "totalShards": {
                    "type": "uint32",
                    "id": 2
                  },
                  "mapVersion": {
                    "type": "uint64",
                    "id": 3
                  },
                  "nodes": {
                    "rule": "repeated",
                    "type": "NodeShards",
                    "id": 4
                  },
                  "replicationFactor": {
                    "type": "uint32",
                    "id": 5
                  }
                }
              },
              "NodeEndpoint": {
                "fields": {
                  "nodeId": {
                    "type": "string",
                    "id": 1
                  },
                  "name": {
                    "type": "string",
                    "id": 2
                  },
                  "address": {
                    "type": "string",
                    "id": 3
                  }
                }
              },
              "ListEndpointsRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "filter": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "ListEndpointsResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "endpoints": {
                    "rule": "repeated",
                    "type": "NodeEndpoint",
                    "id": 2
                  }
                }
              },
              "FindEndpointRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "name": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "FindEndpointResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "endpoints": {
                    "rule": "repeated",
                    "type": "NodeEndpoint",
                    "id": 2
                  }
                }
              },
              "WatchEventsRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "AckShardMapRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 2
                  },
                  "version": {
                    "type": "uint64",
                    "id": 3
                  }
                }
              },
              "AckShardMapResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "StateChanged": {
                "fields": {
                  "state": {
                    "type": "State",
                    "id": 1
                  }
                }
              },
              "RoleChanged": {
                "fields": {
                  "role": {
                    "type": "Role",
                    "id": 1
                  }
                }
              },
              "LeaderChanged": {
                "fields": {
                  "leaderId": {
                    "type": "string",
                    "id": 1
                  }
                }
              },
              "NodeChanged": {
                "fields": {
                  "nodeId": {
                    "type": "string",
                    "id": 1
                  }
                }
              },
              "ShardsChanged": {
                "fields": {
                  "mapVersion": {
                    "type": "uint64",
                    "id": 1
                  },
                  "totalShards": {
                    "type": "uint32",
                    "id": 2
                  }
                }
              },
              "ClusterEvent": {
                "oneofs": {
                  "event": {
                    "oneof": [
                      "stateChanged",
                      "roleChanged",
                      "leaderChanged",
                      "nodeJoined",
                      "nodeLeft",
                      "nodeDead",
                      "nodeAlive",
                      "shardsChanged",
                      "userEvent"
                    ]
                  }
                },
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "timeMs": {
                    "type": "int64",
                    "id": 2
                  },
                  "stateChanged": {
                    "type": "StateChanged",
                    "id": 3
                  },
                  "roleChanged": {
                    "type": "RoleChanged",
                    "id": 4
                  },
                  "leaderChanged": {
                    "type": "LeaderChanged",
                    "id": 5
                  },
                  "nodeJoined": {
                    "type": "NodeChanged",
                    "id": 6
                  },
                  "nodeLeft": {
                    "type": "NodeChanged",
                    "id": 7
                  },
                  "nodeDead": {
                    "type": "NodeChanged",
                    "id": 8
                  },
                  "nodeAlive": {
                    "type": "NodeChanged",
                    "id": 9
                  },
                  "shardsChanged": {
                    "type": "ShardsChanged",
                    "id": 10
                  },
                  "userEvent": {
                    "type": "UserEventFired",
                    "id": 11
                  }
                }
              },
              "StateRecord": {
                "fields": {
                  "key": {
                    "type": "string",
                    "id": 1
                  },
                  "value": {
                    "type": "bytes",
                    "id": 2
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 3
                  },
                  "createdRevision": {
                    "type": "uint64",
                    "id": 4
                  },
                  "writtenAtMs": {
                    "type": "int64",
                    "id": 5
                  }
                }
              },
              "StateGetRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "key": {
                    "type": "string",
                    "id": 2
                  },
                  "consistent": {
                    "type": "bool",
                    "id": 3
                  }
                }
              },
              "StateGetResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "found": {
                    "type": "bool",
                    "id": 2
                  },
                  "record": {
                    "type": "StateRecord",
                    "id": 3
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 4
                  }
                }
              },
              "StateListRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "prefix": {
                    "type": "string",
                    "id": 2
                  },
                  "consistent": {
                    "type": "bool",
                    "id": 3
                  }
                }
              },
              "StateListResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "records": {
                    "rule": "repeated",
                    "type": "StateRecord",
                    "id": 2
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 3
                  }
                }
              },
              "StateWriteRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "key": {
                    "type": "string",
                    "id": 2
                  },
                  "delete": {
                    "type": "bool",
                    "id": 3
                  },
                  "value": {
                    "type": "bytes",
                    "id": 4
                  },
                  "hasExpected": {
                    "type": "bool",
                    "id": 5
                  },
                  "expectedRevision": {
                    "type": "uint64",
                    "id": 6
                  }
                }
              },
              "WriteOutcome": {
                "values": {
                  "WRITE_OUTCOME_UNSPECIFIED": 0,
                  "WRITE_OUTCOME_OK": 1,
                  "WRITE_OUTCOME_MISMATCH": 2,
                  "WRITE_OUTCOME_LIMIT": 3
                }
              },
              "StateWriteResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "outcome": {
                    "type": "WriteOutcome",
                    "id": 2
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 3
                  },
                  "actualRevision": {
                    "type": "uint64",
                    "id": 4
                  },
                  "limit": {
                    "type": "string",
                    "id": 5
                  },
                  "message": {
                    "type": "string",
                    "id": 6
                  }
                }
              },
              "StateWatchRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "prefix": {
                    "type": "string",
                    "id": 2
                  },
                  "fromRevision": {
                    "type": "uint64",
                    "id": 3
                  }
                }
              },
              "StateChange": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "deleted": {
                    "type": "bool",
                    "id": 2
                  },
                  "key": {
                    "type": "string",
                    "id": 3
                  },
                  "value": {
                    "type": "bytes",
                    "id": 4
                  },
                  "revision": {
                    "type": "uint64",
                    "id": 5
                  },
                  "writtenAtMs": {
                    "type": "int64",
                    "id": 6
                  }
                }
              },
              "LockOp": {
                "values": {
                  "LOCK_OP_UNSPECIFIED": 0,
                  "LOCK_OP_ACQUIRE": 1,
                  "LOCK_OP_RENEW": 2,
                  "LOCK_OP_RELEASE": 3,
                  "LOCK_OP_CANCEL": 4
                }
              },
              "LockCallRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "op": {
                    "type": "LockOp",
                    "id": 2
                  },
                  "name": {
                    "type": "string",
                    "id": 3
                  },
                  "owner": {
                    "type": "string",
                    "id": 4
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 5
                  },
                  "ttlMs": {
                    "type": "uint32",
                    "id": 6
                  },
                  "waitMs": {
                    "type": "uint64",
                    "id": 7
                  },
                  "token": {
                    "type": "uint64",
                    "id": 8
                  }
                }
              },
              "LockOutcome": {
                "values": {
                  "LOCK_OUTCOME_UNSPECIFIED": 0,
                  "LOCK_OUTCOME_GRANTED": 1,
                  "LOCK_OUTCOME_QUEUED": 2,
                  "LOCK_OUTCOME_BUSY": 3,
                  "LOCK_OUTCOME_LIMIT": 4,
                  "LOCK_OUTCOME_RENEWED": 5,
                  "LOCK_OUTCOME_RELEASED": 6,
                  "LOCK_OUTCOME_LOST": 7,
                  "LOCK_OUTCOME_DONE": 8
                }
              },
              "LockCallResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "outcome": {
                    "type": "LockOutcome",
                    "id": 2
                  },
                  "token": {
                    "type": "uint64",
                    "id": 3
                  },
                  "expiresAtMs": {
                    "type": "int64",
                    "id": 4
                  },
                  "position": {
                    "type": "uint32",
                    "id": 5
                  },
                  "holder": {
                    "type": "string",
                    "id": 6
                  },
                  "limit": {
                    "type": "string",
                    "id": 7
                  },
                  "message": {
                    "type": "string",
                    "id": 8
                  }
                }
              },
              "LockInfo": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "holder": {
                    "type": "string",
                    "id": 2
                  },
                  "holderNode": {
                    "type": "string",
                    "id": 3
                  },
                  "token": {
                    "type": "uint64",
                    "id": 4
                  },
                  "expiresAtMs": {
                    "type": "int64",
                    "id": 5
                  },
                  "waiters": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 6
                  }
                }
              },
              "ListLocksRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  }
                }
              },
              "ListLocksResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "locks": {
                    "rule": "repeated",
                    "type": "LockInfo",
                    "id": 2
                  }
                }
              },
              "UserEventFired": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 2
                  },
                  "ltime": {
                    "type": "uint32",
                    "id": 3
                  },
                  "origin": {
                    "type": "string",
                    "id": 4
                  },
                  "coalesce": {
                    "type": "bool",
                    "id": 5
                  }
                }
              },
              "NodeRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "topic": {
                    "type": "string",
                    "id": 2
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 3
                  },
                  "from": {
                    "type": "string",
                    "id": 4
                  },
                  "timeoutMs": {
                    "type": "uint32",
                    "id": 5
                  }
                }
              },
              "NodeResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 2
                  }
                }
              },
              "FireEventRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "name": {
                    "type": "string",
                    "id": 2
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 3
                  },
                  "coalesce": {
                    "type": "bool",
                    "id": 4
                  }
                }
              },
              "FireEventResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "ltime": {
                    "type": "uint32",
                    "id": 2
                  }
                }
              },
              "QueryRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "name": {
                    "type": "string",
                    "id": 2
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 3
                  },
                  "filterNodes": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 4
                  },
                  "filterTags": {
                    "keyType": "string",
                    "type": "string",
                    "id": 5
                  },
                  "timeoutMs": {
                    "type": "uint32",
                    "id": 6
                  }
                }
              },
              "QueryReply": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "from": {
                    "type": "string",
                    "id": 2
                  },
                  "ack": {
                    "type": "bool",
                    "id": 3
                  },
                  "payload": {
                    "type": "bytes",
                    "id": 4
                  }
                }
              },
              "GetMemberInfoRequest": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "nodeId": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "MemberInfo": {
                "fields": {
                  "nodeId": {
                    "type": "string",
                    "id": 1
                  },
                  "info": {
                    "keyType": "string",
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "GetMemberInfoResponse": {
                "fields": {
                  "format": {
                    "type": "FormatVersion",
                    "id": 1
                  },
                  "members": {
                    "rule": "repeated",
                    "type": "MemberInfo",
                    "id": 2
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
