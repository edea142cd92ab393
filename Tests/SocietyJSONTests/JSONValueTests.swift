import Foundation
import SocietyJSON
import Testing

@Suite("JSONValue and JSONObject")
struct JSONValueTests {
    @Test("Literals build the values they spell")
    func literals() throws {
        let value: JSONValue = ["b": [1, 2.5, "x", true, nil], "a": ["nested": [:]]]
        #expect(try value.canonicalString() == #"{"a":{"nested":{}},"b":[1,2.5,"x",true,null]}"#)
        #expect(value["b"]?[2]?.stringValue == "x")
        #expect(value["b"]?[1]?.doubleValue == 2.5)
        #expect(value["b"]?[3]?.boolValue == true)
        #expect(value["b"]?[4]?.isNull == true)
        #expect(value["b"]?[5] == JSONValue?.none)
        #expect(value["b"]?[-1] == JSONValue?.none)
        #expect(value["missing"] == JSONValue?.none)
        #expect(value[0] == JSONValue?.none)
        #expect(value["a"]?.objectValue?.keys == ["nested"])
        #expect(value["b"]?.arrayValue?.count == 5)
    }

    @Test("Object members stay in canonical order through edits")
    func objectEdits() throws {
        var object: JSONObject = ["b": 2, "a": 1]
        object["\u{1F600}"] = "emoji"
        object["\u{E000}"] = "private use"
        object["c"] = 3
        object["a"] = nil
        object["b"] = 20
        object["absent"] = nil
        #expect(object.keys == ["b", "c", "\u{1F600}", "\u{E000}"])
        #expect(object.count == 4)
        #expect(!object.isEmpty)
        #expect(object["b"] == 20)
        #expect(object.map(\.key) == object.keys)
        #expect(
            try JSONValue.object(object).canonicalString()
                == "{\"b\":20,\"c\":3,\"😀\":\"emoji\",\"\u{E000}\":\"private use\"}"
        )
        let fromDictionary = JSONObject(["b": 20, "c": 3, "\u{1F600}": "emoji", "\u{E000}": "private use"])
        #expect(fromDictionary == object)
        #expect(fromDictionary.dictionary == object.dictionary)
        #expect(JSONObject().isEmpty)
    }

    @Test("Equality and hashing follow the canonical form")
    func equality() throws {
        let a = try JSONValue(parsing: #"{"x":[1,2],"y":{"p":-0}}"#)
        let b = try JSONValue(parsing: #"{"y":{"p":0.0},"x":[1.0,2e0]}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(JSONValue.number(1) != JSONValue.string("1"))
        #expect(JSONValue.array([]) != JSONValue.object([:]))
        #expect(JSONValue.null != JSONValue.bool(false))
    }

    @Test("description is the canonical text")
    func description() {
        let value: JSONValue = ["z": 1, "a": [0.5]]
        #expect(value.description == #"{"a":[0.5],"z":1}"#)
        #expect(JSONValue.number(.nan).description.contains("non-finite"))
    }

    @Test("canonicalData and canonicalBytes agree")
    func dataForms() throws {
        let value: JSONValue = ["€": "\u{7F}"]
        #expect(try value.canonicalData() == Data(try value.canonicalBytes()))
        #expect(try value.canonicalString() == "{\"€\":\"\u{7F}\"}")
    }

    struct Resident: Codable, Equatable {
        var name: String
        var age: Int
        var tags: [String]
        var score: Double?
        var url: String
    }

    @Test("Encodable values canonicalize through JSONEncoder, and decode back")
    func encodableBridge() throws {
        let resident = Resident(name: "王小明", age: 42, tags: ["b", "a"], score: 0.1, url: "https://a/b")
        let value = try JSONValue(encoding: resident)
        #expect(
            try value.canonicalString()
                == #"{"age":42,"name":"王小明","score":0.1,"tags":["b","a"],"url":"https://a/b"}"#
        )
        #expect(try value.decode(Resident.self) == resident)
        #expect(throws: EncodingError.self) { try JSONValue(encoding: [Double.nan]) }
    }

    @Test("JSONValue is Codable through Foundation's coders")
    func codable() throws {
        let value: JSONValue = ["n": nil, "b": false, "d": 1.25, "s": "x", "a": [1, [2]], "o": ["k": "v"]]
        let data = try JSONEncoder().encode(value)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(decoded == value)
        let wrapped = try JSONDecoder().decode([String: JSONValue].self, from: Data(#"{"v":[true,1]}"#.utf8))
        #expect(wrapped["v"] == [true, 1])
    }
}
