"""The diff rules as data: one row per check id, with its level, direction and documentation.

Ids and levels follow oasdiff's checker (``oasdiff-checks.tsv`` in the design reference) wherever
oasdiff has an equivalent check (origin ``oasdiff``), so ignore lists and CI thresholds carry
over. Rows of origin ``waybill`` are checks oasdiff lacks; their levels follow the same reasoning:
narrowing what a request accepts, or widening what a response may hold, breaks callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from registry.model import Level


class Direction(StrEnum):
    """Which side of the exchange a rule judges."""

    REQUEST = "request"
    RESPONSE = "response"
    NONE = "none"


@dataclass(frozen=True)
class Rule:
    """One check: its id, how much it matters, and how it is documented."""

    id: str
    level: Level
    direction: Direction
    origin: str
    family: str
    description: str
    example: str


# id | level | direction | origin | family | description | example
_TABLE = """
# paths and operations
endpoint-added | info | none | oasdiff | paths | An operation was added. | + POST /items
api-path-removed-without-deprecation | error | none | oasdiff | paths | A path was removed while some of its operations were not deprecated. | - /items/{id} (not deprecated)
api-path-removed-with-deprecation | info | none | oasdiff | paths | A path whose operations were all deprecated (and past any sunset) was removed. | - /items/{id} (deprecated)
api-path-removed-before-sunset | error | none | oasdiff | paths | A deprecated path was removed before its x-sunset date. | - /items/{id} (x-sunset in the future)
api-path-sunset-parse | error | none | oasdiff | lifecycle | A removed path's x-sunset is not a valid date. | x-sunset: next-year
api-removed-without-deprecation | error | none | oasdiff | operations | An operation was removed without being deprecated first. | - DELETE /items/{id}
api-removed-with-deprecation | info | none | oasdiff | operations | A deprecated operation (past any sunset) was removed. | - DELETE /items/{id} (deprecated)
api-removed-before-sunset | error | none | oasdiff | operations | A deprecated operation was removed before its x-sunset date. | - DELETE /items/{id} (x-sunset in the future)
api-operation-id-removed | info | none | oasdiff | operations | An operation's operationId was removed or changed (code generators rename methods). | operationId: getItem -> fetchItem
api-operation-id-added | info | none | oasdiff | operations | An operation gained an operationId. | + operationId: getItem
api-tag-removed | info | none | oasdiff | operations | A tag was removed from an operation. | tags: [Items] -> []
api-tag-added | info | none | oasdiff | operations | A tag was added to an operation. | tags: [] -> [Items]
webhook-added | info | none | oasdiff | operations | A webhook (OpenAPI 3.1) was added. | + webhooks.itemChanged
webhook-removed | error | none | oasdiff | operations | A webhook (OpenAPI 3.1) was removed. | - webhooks.itemChanged
callback-removed | error | none | waybill | operations | A callback (or one of its operations) was removed: receivers relying on it stop hearing from the API. | - callbacks.itemShipped
callback-added | info | none | waybill | operations | A callback (or an operation in one) was added. | + callbacks.itemShipped
api-schema-removed | info | none | oasdiff | components | A schema under components.schemas was removed. | - components.schemas.Item
# lifecycle
endpoint-deprecated | info | none | oasdiff | lifecycle | An operation was deprecated. | deprecated: true
endpoint-deprecated-with-sunset | info | none | oasdiff | lifecycle | An operation was deprecated with an x-sunset date. | deprecated: true, x-sunset: 2027-01-01
endpoint-reactivated | info | none | oasdiff | lifecycle | A deprecated operation is no longer deprecated. | deprecated: true -> false
api-deprecated-sunset-parse | error | none | oasdiff | lifecycle | A deprecated operation's x-sunset is not a valid date. | x-sunset: soon
sunset-deleted | error | none | oasdiff | lifecycle | A deprecated operation's x-sunset was removed. | - x-sunset: 2027-01-01
api-sunset-date-changed-too-small | error | none | oasdiff | lifecycle | A deprecated operation's x-sunset moved earlier. | x-sunset: 2027-06-01 -> 2027-01-01
api-stability-decreased | error | none | oasdiff | lifecycle | An operation's x-stability-level went down (stable > beta > alpha > draft). | x-stability-level: stable -> beta
api-stability-increased | info | none | oasdiff | lifecycle | An operation's x-stability-level went up. | x-stability-level: beta -> stable
api-invalid-stability-level | error | none | oasdiff | lifecycle | An operation's x-stability-level is not draft, alpha, beta or stable. | x-stability-level: gold
request-parameter-deprecated | info | request | oasdiff | lifecycle | A parameter was deprecated. | deprecated: true
request-parameter-reactivated | info | request | oasdiff | lifecycle | A deprecated parameter is no longer deprecated. | deprecated: true -> false
request-parameter-sunset-parse | error | request | oasdiff | lifecycle | A removed deprecated parameter's x-sunset is not a valid date. | x-sunset: later
request-parameter-removed-before-sunset | error | request | oasdiff | lifecycle | A deprecated parameter was removed before its x-sunset date. | - ?legacy (x-sunset in the future)
request-parameter-sunset-deleted | error | request | oasdiff | lifecycle | A deprecated parameter's x-sunset was removed. | - x-sunset
request-parameter-sunset-date-changed-too-small | error | request | oasdiff | lifecycle | A deprecated parameter's x-sunset moved earlier. | x-sunset: 2027-06-01 -> 2027-01-01
request-property-deprecated | info | request | oasdiff | lifecycle | A request property was deprecated. | deprecated: true
request-property-reactivated | info | request | oasdiff | lifecycle | A deprecated request property is no longer deprecated. | deprecated: true -> false
response-property-deprecated | info | response | oasdiff | lifecycle | A response property was deprecated. | deprecated: true
response-property-reactivated | info | response | oasdiff | lifecycle | A deprecated response property is no longer deprecated. | deprecated: true -> false
request-property-stability-decreased | error | request | oasdiff | lifecycle | A request property's x-stability-level went down. | stable -> beta
request-property-stability-increased | info | request | oasdiff | lifecycle | A request property's x-stability-level went up. | beta -> stable
response-property-stability-decreased | error | response | oasdiff | lifecycle | A response property's x-stability-level went down. | stable -> beta
response-property-stability-increased | info | response | oasdiff | lifecycle | A response property's x-stability-level went up. | beta -> stable
api-deprecated-sunset-missing | error | none | oasdiff | lifecycle | An operation was deprecated without an x-sunset while the deprecation policy requires a grace period (--deprecation-days-beta/--deprecation-days-stable above 0). | deprecated: true (no x-sunset, 180 days required)
api-sunset-date-too-small | error | none | oasdiff | lifecycle | An operation was deprecated with an x-sunset closer to today than the policy's grace period for its stability level. | x-sunset 30 days away, 180 required
request-parameter-deprecated-sunset-missing | error | request | oasdiff | lifecycle | A parameter was deprecated without an x-sunset while the policy requires a grace period. | deprecated: true (no x-sunset)
request-parameter-sunset-date-too-small | error | request | oasdiff | lifecycle | A parameter was deprecated with an x-sunset closer than the policy's grace period. | x-sunset 10 days away, 31 required
request-property-deprecated-with-sunset | info | request | oasdiff | lifecycle | A request property was deprecated with an x-sunset date. | deprecated: true, x-sunset: 2027-01-01
request-property-deprecated-sunset-missing | error | request | oasdiff | lifecycle | A request property was deprecated without an x-sunset while the policy requires a grace period. | deprecated: true (no x-sunset)
request-property-deprecated-sunset-invalid | error | request | oasdiff | lifecycle | A request property was deprecated with an x-sunset that is not a date. | x-sunset: soon
request-property-sunset-date-too-small | error | request | oasdiff | lifecycle | A request property was deprecated with an x-sunset closer than the policy's grace period. | x-sunset 10 days away, 180 required
response-property-deprecated-with-sunset | info | response | oasdiff | lifecycle | A response property was deprecated with an x-sunset date. | deprecated: true, x-sunset: 2027-01-01
response-property-deprecated-sunset-missing | error | response | oasdiff | lifecycle | A response property was deprecated without an x-sunset while the policy requires a grace period. | deprecated: true (no x-sunset)
response-property-deprecated-sunset-invalid | error | response | oasdiff | lifecycle | A response property was deprecated with an x-sunset that is not a date. | x-sunset: soon
response-property-sunset-date-too-small | error | response | oasdiff | lifecycle | A response property was deprecated with an x-sunset closer than the policy's grace period. | x-sunset 10 days away, 180 required
api-version-decreased | info | none | oasdiff | lifecycle | info.version went down. | 2.1.0 -> 2.0.0
# security
api-security-removed | info | none | oasdiff | security | A security requirement was removed from an operation. | security: [oauth2] -> [apiKey]
api-security-added | info | none | oasdiff | security | A security requirement was added to an operation. | security: [] -> [oauth2]
api-security-scope-added | info | none | oasdiff | security | A scope was added to an operation's security requirement. | oauth2: [items:read] -> [items:read, items:admin]
api-security-scope-removed | info | none | oasdiff | security | A scope was removed from an operation's security requirement. | oauth2: [items:read, items:admin] -> [items:read]
api-global-security-removed | info | none | oasdiff | security | A top-level security requirement was removed. | security: [oauth2] -> []
api-global-security-added | info | none | oasdiff | security | A top-level security requirement was added. | security: [] -> [oauth2]
api-global-security-scope-added | info | none | oasdiff | security | A scope was added to a top-level security requirement. | oauth2: [] -> [admin]
api-global-security-scope-removed | info | none | oasdiff | security | A scope was removed from a top-level security requirement. | oauth2: [admin] -> []
api-security-component-removed | info | none | oasdiff | security | A security scheme was removed from components. | - components.securitySchemes.apiKey
api-security-component-added | info | none | oasdiff | security | A security scheme was added to components. | + components.securitySchemes.apiKey
api-security-component-type-changed | info | none | oasdiff | security | A security scheme's type changed. | type: apiKey -> oauth2
api-security-component-oauth-url-changed | info | none | oasdiff | security | An OAuth2 flow's authorizationUrl changed. | authorizationUrl: /a -> /b
api-security-component-oauth-token-url-changed | info | none | oasdiff | security | An OAuth2 flow's tokenUrl changed. | tokenUrl: /token -> /oauth/token
api-security-component-oauth-scope-added | info | none | oasdiff | security | An OAuth2 flow gained a scope. | + scopes.items:admin
api-security-component-oauth-scope-removed | info | none | oasdiff | security | An OAuth2 flow lost a scope. | - scopes.items:admin
# parameters
new-required-request-parameter | error | request | oasdiff | parameters | A required parameter was added to an operation. | + ?site (required)
new-optional-request-parameter | info | request | oasdiff | parameters | An optional parameter was added to an operation. | + ?site
new-request-path-parameter | error | request | oasdiff | parameters | A path parameter was added. | /items -> /items/{id}
new-required-request-default-parameter-to-existing-path | error | request | oasdiff | parameters | A required path-level parameter was added to an existing path. | + path-level ?site (required)
new-optional-request-default-parameter-to-existing-path | info | request | oasdiff | parameters | An optional path-level parameter was added to an existing path. | + path-level ?site
request-parameter-removed | warning | request | oasdiff | parameters | A parameter was removed (callers still sending it may be rejected). | - ?site
request-parameter-removed-with-deprecation | info | request | oasdiff | parameters | A deprecated parameter was removed. | - ?legacy (deprecated)
request-parameter-became-required | error | request | oasdiff | required-ness | An optional parameter became required. | required: false -> true
request-parameter-became-optional | info | request | oasdiff | required-ness | A required parameter became optional. | required: true -> false
request-parameter-type-changed | error | request | oasdiff | types | A parameter's type or format changed incompatibly. | type: string -> integer
request-parameter-type-generalized | info | request | oasdiff | types | A parameter's type or format now accepts more values. | format: int32 -> int64
request-parameter-list-of-types-widened | info | request | oasdiff | types | A type was added to a parameter's type list (3.1). | [string] -> [string, integer]
request-parameter-list-of-types-narrowed | error | request | oasdiff | types | A type was removed from a parameter's type list (3.1). | [string, integer] -> [string]
request-parameter-became-nullable | info | request | oasdiff | nullability | A parameter became nullable. | nullable: true
request-parameter-became-not-nullable | error | request | oasdiff | nullability | A parameter is no longer nullable. | nullable: true -> false
request-parameter-enum-value-added | info | request | oasdiff | enums | A value was added to a parameter's enum. | [a] -> [a, b]
request-parameter-enum-value-removed | error | request | oasdiff | enums | A value was removed from a parameter's enum. | [a, b] -> [a]
request-parameter-became-enum | error | request | oasdiff | enums | A parameter was restricted to an enum. | + enum: [a, b]
request-parameter-x-extensible-enum-value-removed | error | request | oasdiff | enums | A value was removed from a parameter's x-extensible-enum. | [a, b] -> [a]
request-parameter-default-value-added | error | request | oasdiff | values | A parameter gained a default value. | + default: 20
request-parameter-default-value-removed | error | request | oasdiff | values | A parameter lost its default value. | - default: 20
request-parameter-default-value-changed | error | request | oasdiff | values | A parameter's default value changed. | default: 20 -> 50
request-parameter-max-items-increased | info | request | oasdiff | bounds | A parameter's maxItems increased. | maxItems: 10 -> 20
request-parameter-max-items-decreased | error | request | oasdiff | bounds | A parameter's maxItems decreased. | maxItems: 20 -> 10
request-parameter-max-length-set | warning | request | oasdiff | bounds | A parameter gained a maxLength. | + maxLength: 64
request-parameter-max-length-increased | info | request | oasdiff | bounds | A parameter's maxLength increased. | maxLength: 32 -> 64
request-parameter-max-length-decreased | error | request | oasdiff | bounds | A parameter's maxLength decreased. | maxLength: 64 -> 32
request-parameter-max-set | warning | request | oasdiff | bounds | A parameter gained a maximum. | + maximum: 100
request-parameter-max-increased | info | request | oasdiff | bounds | A parameter's maximum increased. | maximum: 100 -> 200
request-parameter-max-decreased | error | request | oasdiff | bounds | A parameter's maximum decreased. | maximum: 200 -> 100
request-parameter-exclusive-max-set | warning | request | oasdiff | bounds | A parameter gained an exclusiveMaximum (3.1). | + exclusiveMaximum: 100
request-parameter-exclusive-max-increased | info | request | oasdiff | bounds | A parameter's exclusiveMaximum increased. | exclusiveMaximum: 100 -> 200
request-parameter-exclusive-max-decreased | error | request | oasdiff | bounds | A parameter's exclusiveMaximum decreased. | exclusiveMaximum: 200 -> 100
request-parameter-min-items-set | warning | request | oasdiff | bounds | A parameter gained a minItems. | + minItems: 1
request-parameter-min-items-increased | error | request | oasdiff | bounds | A parameter's minItems increased. | minItems: 1 -> 2
request-parameter-min-items-decreased | info | request | oasdiff | bounds | A parameter's minItems decreased. | minItems: 2 -> 1
request-parameter-min-length-increased | error | request | oasdiff | bounds | A parameter's minLength increased (or was set). | minLength: 1 -> 3
request-parameter-min-length-decreased | info | request | oasdiff | bounds | A parameter's minLength decreased. | minLength: 3 -> 1
request-parameter-min-set | warning | request | oasdiff | bounds | A parameter gained a minimum. | + minimum: 1
request-parameter-min-increased | error | request | oasdiff | bounds | A parameter's minimum increased. | minimum: 1 -> 5
request-parameter-min-decreased | info | request | oasdiff | bounds | A parameter's minimum decreased. | minimum: 5 -> 1
request-parameter-exclusive-min-set | warning | request | oasdiff | bounds | A parameter gained an exclusiveMinimum (3.1). | + exclusiveMinimum: 0
request-parameter-exclusive-min-increased | error | request | oasdiff | bounds | A parameter's exclusiveMinimum increased. | exclusiveMinimum: 0 -> 5
request-parameter-exclusive-min-decreased | info | request | oasdiff | bounds | A parameter's exclusiveMinimum decreased. | exclusiveMinimum: 5 -> 0
request-parameter-pattern-added | error | request | oasdiff | patterns | A parameter gained a pattern. | + pattern: ^[A-Z]+$
request-parameter-pattern-removed | info | request | oasdiff | patterns | A parameter lost its pattern. | - pattern: ^[A-Z]+$
request-parameter-pattern-changed | warning | request | oasdiff | patterns | A parameter's pattern changed. | ^[A-Z]+$ -> ^[A-Z0-9]+$
request-parameter-pattern-generalized | info | request | oasdiff | patterns | A parameter's pattern was relaxed to match anything. | ^[A-Z]+$ -> .*
request-parameter-property-type-changed | warning | request | oasdiff | types | The type of a property inside an object parameter changed. | type: string -> integer
request-parameter-property-type-generalized | info | request | oasdiff | types | A property inside an object parameter now accepts more types. | integer -> number
request-parameter-property-type-specialized | error | request | oasdiff | types | A property inside an object parameter now accepts fewer types. | number -> integer
request-parameter-property-list-of-types-widened | info | request | oasdiff | types | A type was added to a parameter property's type list. | [string] -> [string, null]
request-parameter-property-list-of-types-narrowed | error | request | oasdiff | types | A type was removed from a parameter property's type list. | [string, integer] -> [string]
request-parameter-property-enum-value-added | info | request | oasdiff | enums | A value was added to an enum inside an object parameter. | [a] -> [a, b]
request-parameter-property-enum-value-removed | error | request | oasdiff | enums | A value was removed from an enum inside an object parameter. | [a, b] -> [a]
request-parameter-property-became-nullable | info | request | oasdiff | nullability | A property inside an object parameter became nullable. | nullable: true
request-parameter-property-became-not-nullable | error | request | oasdiff | nullability | A property inside an object parameter is no longer nullable. | nullable: true -> false
# request bodies
request-body-added-required | error | request | oasdiff | request-body | A required request body was added. | + requestBody (required)
request-body-added-optional | info | request | oasdiff | request-body | An optional request body was added. | + requestBody
request-body-removed | error | request | oasdiff | request-body | The request body was removed. | - requestBody
request-body-became-required | error | request | oasdiff | required-ness | The request body became required. | required: false -> true
request-body-became-optional | info | request | oasdiff | required-ness | The request body became optional. | required: true -> false
request-body-media-type-added | info | request | oasdiff | media-types | A request media type was added. | + application/xml
request-body-media-type-removed | error | request | oasdiff | media-types | A request media type was removed. | - application/xml
request-body-media-type-schema-added | error | request | oasdiff | media-types | A request media type that accepted anything gained a schema. | + schema
request-body-media-type-schema-removed | info | request | oasdiff | media-types | A request media type lost its schema (accepts anything). | - schema
request-body-type-changed | error | request | oasdiff | types | The request body's type or format changed incompatibly. | type: object -> array
request-body-type-generalized | info | request | oasdiff | types | The request body's type or format now accepts more values. | integer -> number
request-body-list-of-types-widened | info | request | oasdiff | types | A type was added to the request body's type list (3.1). | [object] -> [object, array]
request-body-list-of-types-narrowed | error | request | oasdiff | types | A type was removed from the request body's type list (3.1). | [object, array] -> [object]
request-body-became-nullable | info | request | oasdiff | nullability | The request body became nullable. | nullable: true
request-body-became-not-nullable | error | request | oasdiff | nullability | The request body is no longer nullable. | nullable: true -> false
request-body-became-enum | error | request | oasdiff | enums | The request body was restricted to an enum. | + enum
request-body-enum-value-removed | error | request | oasdiff | enums | A value was removed from the request body's enum. | [a, b] -> [a]
request-body-const-added | error | request | oasdiff | values | The request body gained a const (3.1). | + const: v1
request-body-const-removed | info | request | oasdiff | values | The request body lost its const (3.1). | - const: v1
request-body-const-changed | error | request | oasdiff | values | The request body's const changed (3.1). | const: v1 -> v2
request-body-default-value-added | info | request | oasdiff | values | The request body gained a default. | + default
request-body-default-value-removed | info | request | oasdiff | values | The request body lost its default. | - default
request-body-default-value-changed | info | request | oasdiff | values | The request body's default changed. | default: a -> b
request-body-max-set | warning | request | oasdiff | bounds | The request body gained a maximum. | + maximum: 10
request-body-max-increased | info | request | oasdiff | bounds | The request body's maximum increased. | maximum: 10 -> 20
request-body-max-decreased | error | request | oasdiff | bounds | The request body's maximum decreased. | maximum: 20 -> 10
request-body-exclusive-max-set | warning | request | oasdiff | bounds | The request body gained an exclusiveMaximum. | + exclusiveMaximum: 10
request-body-exclusive-max-increased | info | request | oasdiff | bounds | The request body's exclusiveMaximum increased. | 10 -> 20
request-body-exclusive-max-decreased | error | request | oasdiff | bounds | The request body's exclusiveMaximum decreased. | 20 -> 10
request-body-min-set | warning | request | oasdiff | bounds | The request body gained a minimum. | + minimum: 1
request-body-min-increased | error | request | oasdiff | bounds | The request body's minimum increased. | minimum: 1 -> 5
request-body-min-decreased | info | request | oasdiff | bounds | The request body's minimum decreased. | minimum: 5 -> 1
request-body-exclusive-min-set | warning | request | oasdiff | bounds | The request body gained an exclusiveMinimum. | + exclusiveMinimum: 0
request-body-exclusive-min-increased | error | request | oasdiff | bounds | The request body's exclusiveMinimum increased. | 0 -> 5
request-body-exclusive-min-decreased | info | request | oasdiff | bounds | The request body's exclusiveMinimum decreased. | 5 -> 0
request-body-max-length-set | warning | request | oasdiff | bounds | The request body gained a maxLength. | + maxLength: 64
request-body-max-length-increased | info | request | oasdiff | bounds | The request body's maxLength increased. | 32 -> 64
request-body-max-length-decreased | error | request | oasdiff | bounds | The request body's maxLength decreased. | 64 -> 32
request-body-min-length-increased | error | request | oasdiff | bounds | The request body's minLength increased (or was set). | 1 -> 3
request-body-min-length-decreased | info | request | oasdiff | bounds | The request body's minLength decreased. | 3 -> 1
request-body-min-items-set | warning | request | oasdiff | bounds | The request body gained a minItems. | + minItems: 1
request-body-min-items-increased | error | request | oasdiff | bounds | The request body's minItems increased. | 1 -> 2
request-body-max-items-set | warning | request | waybill | bounds | The request body gained a maxItems (oasdiff has no request-body maxItems check). | + maxItems: 100
request-body-max-items-decreased | error | request | waybill | bounds | The request body's maxItems decreased (oasdiff has no request-body maxItems check). | 100 -> 50
request-body-max-items-increased | info | request | waybill | bounds | The request body's maxItems increased. | 50 -> 100
request-body-one-of-added | info | request | oasdiff | composition | A oneOf member was added to the request body. | oneOf: [A] -> [A, B]
request-body-one-of-removed | error | request | oasdiff | composition | A oneOf member was removed from the request body. | oneOf: [A, B] -> [A]
request-body-any-of-added | info | request | oasdiff | composition | An anyOf member was added to the request body. | anyOf: [A] -> [A, B]
request-body-any-of-removed | error | request | oasdiff | composition | An anyOf member was removed from the request body. | anyOf: [A, B] -> [A]
request-body-all-of-added | error | request | oasdiff | composition | An allOf member was added to the request body. | allOf: [A] -> [A, B]
request-body-all-of-removed | warning | request | oasdiff | composition | An allOf member was removed from the request body. | allOf: [A, B] -> [A]
request-body-wrapped-in-one-of | error | request | oasdiff | composition | The request body was wrapped in a oneOf with other members (a payload matching two members is now rejected). | Item -> oneOf: [Item, Pallet]
request-body-discriminator-added | info | request | oasdiff | composition | The request body gained a discriminator. | + discriminator
request-body-discriminator-removed | info | request | oasdiff | composition | The request body lost its discriminator. | - discriminator
request-body-discriminator-property-name-changed | info | request | oasdiff | composition | The request body discriminator's propertyName changed. | kind -> type
request-body-discriminator-mapping-added | info | request | oasdiff | composition | A discriminator mapping entry was added. | + mapping.pallet
request-body-discriminator-mapping-deleted | info | request | oasdiff | composition | A discriminator mapping entry was removed. | - mapping.pallet
request-body-discriminator-mapping-changed | info | request | oasdiff | composition | A discriminator mapping entry now points elsewhere. | pallet: A -> B
request-body-prefix-items-added | info | request | oasdiff | structure | prefixItems were added to the request body (3.1). | + prefixItems
request-body-prefix-items-removed | error | request | oasdiff | structure | prefixItems were removed from the request body (3.1). | - prefixItems
request-body-if-added | error | request | oasdiff | structure | An if subschema was added to the request body (3.1). | + if
request-body-if-removed | info | request | oasdiff | structure | An if subschema was removed from the request body (3.1). | - if
request-body-then-added | error | request | oasdiff | structure | A then subschema was added to the request body (3.1). | + then
request-body-then-removed | info | request | oasdiff | structure | A then subschema was removed from the request body (3.1). | - then
request-body-else-added | error | request | oasdiff | structure | An else subschema was added to the request body (3.1). | + else
request-body-else-removed | info | request | oasdiff | structure | An else subschema was removed from the request body (3.1). | - else
request-body-contains-added | error | request | oasdiff | structure | A contains subschema was added to the request body (3.1). | + contains
request-body-contains-removed | info | request | oasdiff | structure | A contains subschema was removed from the request body (3.1). | - contains
request-body-min-contains-increased | error | request | oasdiff | bounds | The request body's minContains increased. | 1 -> 2
request-body-min-contains-decreased | info | request | oasdiff | bounds | The request body's minContains decreased. | 2 -> 1
request-body-max-contains-increased | info | request | oasdiff | bounds | The request body's maxContains increased. | 2 -> 3
request-body-max-contains-decreased | error | request | oasdiff | bounds | The request body's maxContains decreased. | 3 -> 2
request-body-dependent-required-added | error | request | oasdiff | structure | A dependentRequired entry was added to the request body (3.1). | + dependentRequired.a
request-body-dependent-required-removed | info | request | oasdiff | structure | A dependentRequired entry was removed from the request body (3.1). | - dependentRequired.a
request-body-dependent-required-changed | error | request | oasdiff | structure | A dependentRequired entry of the request body changed (3.1). | a: [b] -> [b, c]
request-body-dependent-schema-added | error | request | oasdiff | structure | A dependentSchemas entry was added to the request body (3.1). | + dependentSchemas.a
request-body-dependent-schema-removed | info | request | oasdiff | structure | A dependentSchemas entry was removed from the request body (3.1). | - dependentSchemas.a
request-body-pattern-property-added | error | request | oasdiff | structure | A patternProperties entry was added to the request body. | + patternProperties.^x-
request-body-pattern-property-removed | info | request | oasdiff | structure | A patternProperties entry was removed from the request body. | - patternProperties.^x-
request-body-property-names-added | error | request | oasdiff | structure | A propertyNames schema was added to the request body (3.1). | + propertyNames
request-body-property-names-removed | info | request | oasdiff | structure | A propertyNames schema was removed from the request body (3.1). | - propertyNames
request-body-unevaluated-items-added | error | request | oasdiff | structure | unevaluatedItems was added to the request body (3.1). | + unevaluatedItems: false
request-body-unevaluated-items-removed | info | request | oasdiff | structure | unevaluatedItems was removed from the request body (3.1). | - unevaluatedItems
request-body-unevaluated-properties-added | error | request | oasdiff | structure | unevaluatedProperties was added to the request body (3.1). | + unevaluatedProperties: false
request-body-unevaluated-properties-removed | info | request | oasdiff | structure | unevaluatedProperties was removed from the request body (3.1). | - unevaluatedProperties
request-body-content-schema-added | error | request | oasdiff | structure | A contentSchema was added to the request body (3.1). | + contentSchema
request-body-content-schema-removed | info | request | oasdiff | structure | A contentSchema was removed from the request body (3.1). | - contentSchema
request-body-content-media-type-changed | error | request | oasdiff | structure | The request body's contentMediaType changed (3.1). | image/png -> image/jpeg
request-body-content-encoding-changed | error | request | oasdiff | structure | The request body's contentEncoding changed (3.1). | base64 -> base32
request-body-additional-properties-disallowed | warning | request | waybill | structure | The request body now sets additionalProperties: false (oasdiff has no such check): callers sending undocumented properties are rejected. | + additionalProperties: false
request-property-additional-properties-disallowed | warning | request | waybill | structure | A request object now sets additionalProperties: false (oasdiff has no such check). | + additionalProperties: false
response-body-additional-properties-allowed | warning | response | waybill | structure | The response body no longer sets additionalProperties: false (oasdiff has no such check): strict parsers may meet undocumented properties. | - additionalProperties: false
response-property-additional-properties-allowed | warning | response | waybill | structure | A response object no longer sets additionalProperties: false (oasdiff has no such check). | - additionalProperties: false
# request properties
new-required-request-property | error | request | oasdiff | required-ness | A required property was added to a request schema. | + properties.site (required)
new-required-request-property-with-default | error | request | oasdiff | required-ness | A required property with a default was added to a request schema. | + properties.site (required, default)
new-optional-request-property | info | request | oasdiff | request-body | An optional property was added to a request schema. | + properties.note
request-property-removed | warning | request | oasdiff | request-body | A property was removed from a request schema. | - properties.note
request-property-became-required | error | request | oasdiff | required-ness | A request property became required. | required: [] -> [note]
request-property-became-required-with-default | error | request | oasdiff | required-ness | A request property with a default became required. | required: [] -> [note] (default)
request-property-became-optional | info | request | oasdiff | required-ness | A request property became optional. | required: [note] -> []
request-optional-property-became-read-only | info | request | oasdiff | required-ness | An optional request property became readOnly. | + readOnly: true
request-optional-property-became-not-read-only | info | request | oasdiff | required-ness | An optional request property is no longer readOnly. | readOnly: true -> false
request-required-property-became-read-only | info | request | oasdiff | required-ness | A required request property became readOnly. | + readOnly: true
request-required-property-became-not-read-only | info | request | oasdiff | required-ness | A required request property is no longer readOnly. | readOnly: true -> false
request-property-type-changed | error | request | oasdiff | types | A request property's type or format changed incompatibly. | type: string -> integer
request-property-type-generalized | info | request | oasdiff | types | A request property's type or format now accepts more values. | format: int32 -> int64
request-property-list-of-types-widened | info | request | oasdiff | types | A type was added to a request property's type list (3.1). | [string] -> [string, integer]
request-property-list-of-types-narrowed | error | request | oasdiff | types | A type was removed from a request property's type list (3.1). | [string, integer] -> [string]
request-property-became-nullable | info | request | oasdiff | nullability | A request property became nullable. | nullable: true
request-property-became-not-nullable | error | request | oasdiff | nullability | A request property is no longer nullable. | type: [string, "null"] -> string
request-property-became-enum | error | request | oasdiff | enums | A request property was restricted to an enum. | + enum: [a, b]
request-property-enum-value-added | info | request | oasdiff | enums | A value was added to a request property's enum. | [a] -> [a, b]
request-property-enum-value-removed | error | request | oasdiff | enums | A value was removed from a request property's enum. | [a, b] -> [a]
request-property-x-extensible-enum-value-removed | error | request | oasdiff | enums | A value was removed from a request property's x-extensible-enum. | [a, b] -> [a]
request-property-const-added | error | request | oasdiff | values | A request property gained a const (3.1). | + const: v1
request-property-const-removed | info | request | oasdiff | values | A request property lost its const (3.1). | - const: v1
request-property-const-changed | error | request | oasdiff | values | A request property's const changed (3.1). | const: v1 -> v2
request-property-default-value-added | info | request | oasdiff | values | A request property gained a default. | + default: 1
request-property-default-value-removed | info | request | oasdiff | values | A request property lost its default. | - default: 1
request-property-default-value-changed | info | request | oasdiff | values | A request property's default changed. | default: 1 -> 2
request-property-max-set | warning | request | oasdiff | bounds | A request property gained a maximum. | + maximum: 10
request-property-max-increased | info | request | oasdiff | bounds | A request property's maximum increased. | 10 -> 20
request-property-max-decreased | error | request | oasdiff | bounds | A request property's maximum decreased. | 20 -> 10
request-property-exclusive-max-set | warning | request | oasdiff | bounds | A request property gained an exclusiveMaximum. | + exclusiveMaximum: 10
request-property-exclusive-max-increased | info | request | oasdiff | bounds | A request property's exclusiveMaximum increased. | 10 -> 20
request-property-exclusive-max-decreased | error | request | oasdiff | bounds | A request property's exclusiveMaximum decreased. | 20 -> 10
request-property-min-set | warning | request | oasdiff | bounds | A request property gained a minimum. | + minimum: 1
request-property-min-increased | error | request | oasdiff | bounds | A request property's minimum increased. | 1 -> 5
request-property-min-decreased | info | request | oasdiff | bounds | A request property's minimum decreased. | 5 -> 1
request-property-exclusive-min-set | warning | request | oasdiff | bounds | A request property gained an exclusiveMinimum. | + exclusiveMinimum: 0
request-property-exclusive-min-increased | error | request | oasdiff | bounds | A request property's exclusiveMinimum increased. | 0 -> 5
request-property-exclusive-min-decreased | info | request | oasdiff | bounds | A request property's exclusiveMinimum decreased. | 5 -> 0
request-property-max-length-set | warning | request | oasdiff | bounds | A request property gained a maxLength. | + maxLength: 64
request-property-max-length-increased | info | request | oasdiff | bounds | A request property's maxLength increased. | 32 -> 64
request-property-max-length-decreased | error | request | oasdiff | bounds | A request property's maxLength decreased. | 64 -> 32
request-property-min-length-increased | error | request | oasdiff | bounds | A request property's minLength increased (or was set). | 1 -> 3
request-property-min-length-decreased | info | request | oasdiff | bounds | A request property's minLength decreased. | 3 -> 1
request-property-min-items-set | warning | request | oasdiff | bounds | A request property gained a minItems. | + minItems: 1
request-property-min-items-increased | error | request | oasdiff | bounds | A request property's minItems increased. | 1 -> 2
request-property-max-items-set | warning | request | waybill | bounds | A request array property gained a maxItems (oasdiff has no request-property maxItems check). | + maxItems: 100
request-property-max-items-decreased | error | request | waybill | bounds | A request array property's maxItems decreased (oasdiff has no request-property maxItems check). | 100 -> 50
request-property-max-items-increased | info | request | waybill | bounds | A request array property's maxItems increased. | 50 -> 100
request-property-pattern-added | error | request | oasdiff | patterns | A request property gained a pattern. | + pattern: ^[A-Z]+$
request-property-pattern-removed | info | request | oasdiff | patterns | A request property lost its pattern. | - pattern
request-property-pattern-changed | warning | request | oasdiff | patterns | A request property's pattern changed. | ^[A-Z]+$ -> ^[A-Z0-9]+$
request-property-pattern-generalized | info | request | oasdiff | patterns | A request property's pattern was relaxed to match anything. | ^[A-Z]+$ -> .*
request-property-one-of-added | info | request | oasdiff | composition | A oneOf member was added to a request property. | oneOf: [A] -> [A, B]
request-property-one-of-removed | error | request | oasdiff | composition | A oneOf member was removed from a request property. | oneOf: [A, B] -> [A]
request-property-any-of-added | info | request | oasdiff | composition | An anyOf member was added to a request property. | anyOf: [A] -> [A, B]
request-property-any-of-removed | error | request | oasdiff | composition | An anyOf member was removed from a request property. | anyOf: [A, B] -> [A]
request-property-all-of-added | error | request | oasdiff | composition | An allOf member was added to a request property. | allOf: [A] -> [A, B]
request-property-all-of-removed | warning | request | oasdiff | composition | An allOf member was removed from a request property. | allOf: [A, B] -> [A]
request-property-discriminator-added | info | request | oasdiff | composition | A request property gained a discriminator. | + discriminator
request-property-discriminator-removed | info | request | oasdiff | composition | A request property lost its discriminator. | - discriminator
request-property-discriminator-property-name-changed | info | request | oasdiff | composition | A request property discriminator's propertyName changed. | kind -> type
request-property-discriminator-mapping-added | info | request | oasdiff | composition | A discriminator mapping entry was added. | + mapping.x
request-property-discriminator-mapping-deleted | info | request | oasdiff | composition | A discriminator mapping entry was removed. | - mapping.x
request-property-discriminator-mapping-changed | info | request | oasdiff | composition | A discriminator mapping entry now points elsewhere. | x: A -> B
request-property-prefix-items-added | info | request | oasdiff | structure | prefixItems were added to a request property (3.1). | + prefixItems
request-property-prefix-items-removed | error | request | oasdiff | structure | prefixItems were removed from a request property (3.1). | - prefixItems
request-property-if-added | error | request | oasdiff | structure | An if subschema was added to a request property (3.1). | + if
request-property-if-removed | info | request | oasdiff | structure | An if subschema was removed from a request property (3.1). | - if
request-property-then-added | error | request | oasdiff | structure | A then subschema was added to a request property (3.1). | + then
request-property-then-removed | info | request | oasdiff | structure | A then subschema was removed from a request property (3.1). | - then
request-property-else-added | error | request | oasdiff | structure | An else subschema was added to a request property (3.1). | + else
request-property-else-removed | info | request | oasdiff | structure | An else subschema was removed from a request property (3.1). | - else
request-property-contains-added | error | request | oasdiff | structure | A contains subschema was added to a request property (3.1). | + contains
request-property-contains-removed | info | request | oasdiff | structure | A contains subschema was removed from a request property (3.1). | - contains
request-property-min-contains-increased | error | request | oasdiff | bounds | A request property's minContains increased. | 1 -> 2
request-property-min-contains-decreased | info | request | oasdiff | bounds | A request property's minContains decreased. | 2 -> 1
request-property-max-contains-increased | info | request | oasdiff | bounds | A request property's maxContains increased. | 2 -> 3
request-property-max-contains-decreased | error | request | oasdiff | bounds | A request property's maxContains decreased. | 3 -> 2
request-property-dependent-required-added | error | request | oasdiff | structure | A dependentRequired entry was added to a request property (3.1). | + dependentRequired.a
request-property-dependent-required-removed | info | request | oasdiff | structure | A dependentRequired entry was removed from a request property (3.1). | - dependentRequired.a
request-property-dependent-required-changed | error | request | oasdiff | structure | A dependentRequired entry of a request property changed (3.1). | a: [b] -> [b, c]
request-property-dependent-schema-added | error | request | oasdiff | structure | A dependentSchemas entry was added to a request property (3.1). | + dependentSchemas.a
request-property-dependent-schema-removed | info | request | oasdiff | structure | A dependentSchemas entry was removed from a request property (3.1). | - dependentSchemas.a
request-property-pattern-property-added | error | request | oasdiff | structure | A patternProperties entry was added to a request property. | + patternProperties.^x-
request-property-pattern-property-removed | info | request | oasdiff | structure | A patternProperties entry was removed from a request property. | - patternProperties.^x-
request-property-property-names-added | error | request | oasdiff | structure | A propertyNames schema was added to a request property (3.1). | + propertyNames
request-property-property-names-removed | info | request | oasdiff | structure | A propertyNames schema was removed from a request property (3.1). | - propertyNames
request-property-unevaluated-items-added | error | request | oasdiff | structure | unevaluatedItems was added to a request property (3.1). | + unevaluatedItems: false
request-property-unevaluated-items-removed | info | request | oasdiff | structure | unevaluatedItems was removed from a request property (3.1). | - unevaluatedItems
request-property-unevaluated-properties-added | error | request | oasdiff | structure | unevaluatedProperties was added to a request property (3.1). | + unevaluatedProperties: false
request-property-unevaluated-properties-removed | info | request | oasdiff | structure | unevaluatedProperties was removed from a request property (3.1). | - unevaluatedProperties
request-property-content-schema-added | error | request | oasdiff | structure | A contentSchema was added to a request property (3.1). | + contentSchema
request-property-content-schema-removed | info | request | oasdiff | structure | A contentSchema was removed from a request property (3.1). | - contentSchema
request-property-content-media-type-changed | error | request | oasdiff | structure | A request property's contentMediaType changed (3.1). | image/png -> image/jpeg
request-property-content-encoding-changed | error | request | oasdiff | structure | A request property's contentEncoding changed (3.1). | base64 -> base32
# responses
response-success-status-removed | error | response | oasdiff | responses | A success (2xx) response status was removed. | - 200
response-success-status-added | info | response | oasdiff | responses | A success (2xx) response status was added. | + 201
response-non-success-status-removed | info | response | oasdiff | responses | A non-success response status was removed. | - 404
response-non-success-status-added | info | response | oasdiff | responses | A non-success response status was added. | + 409
response-media-type-removed | error | response | oasdiff | media-types | A response media type was removed. | - application/json
response-media-type-added | info | response | oasdiff | media-types | A response media type was added. | + application/xml
response-body-media-type-schema-added | info | response | oasdiff | media-types | A response media type gained a schema. | + schema
response-body-media-type-schema-removed | warning | response | oasdiff | media-types | A response media type lost its schema. | - schema
response-header-added | info | response | oasdiff | headers | A response header was added. | + X-Rate-Limit
required-response-header-removed | error | response | oasdiff | headers | A required response header was removed. | - X-Correlation-ID (required)
optional-response-header-removed | warning | response | oasdiff | headers | An optional response header was removed. | - X-Rate-Limit
response-header-became-optional | error | response | oasdiff | headers | A response header is no longer required. | required: true -> false
response-header-type-changed | error | response | oasdiff | headers | A response header's type or format changed incompatibly. | type: string -> integer
response-header-type-generalized | error | response | oasdiff | headers | A response header's type or format now allows more values. | int32 -> int64
response-header-type-specialized | info | response | oasdiff | headers | A response header's type or format now allows fewer values. | number -> integer
response-header-became-nullable | error | response | oasdiff | headers | A response header became nullable. | nullable: true
response-header-became-not-nullable | info | response | oasdiff | headers | A response header is no longer nullable. | nullable: true -> false
response-body-type-changed | error | response | oasdiff | types | The response body's type or format changed incompatibly. | type: object -> array
response-body-type-generalized | error | response | oasdiff | types | The response body's type or format now allows more values. | integer -> number
response-body-type-specialized | info | response | oasdiff | types | The response body's type or format now allows fewer values. | number -> integer
response-body-list-of-types-widened | error | response | oasdiff | types | A type was added to the response body's type list (3.1). | [object] -> [object, array]
response-body-list-of-types-narrowed | info | response | oasdiff | types | A type was removed from the response body's type list (3.1). | [object, array] -> [object]
response-body-became-nullable | error | response | oasdiff | nullability | The response body became nullable. | nullable: true
response-body-became-not-nullable | info | response | oasdiff | nullability | The response body is no longer nullable. | nullable: true -> false
response-mediatype-enum-value-removed | info | response | oasdiff | enums | A value was removed from the response body's enum. | [a, b] -> [a]
response-body-const-added | info | response | oasdiff | values | The response body gained a const (3.1). | + const
response-body-const-removed | error | response | oasdiff | values | The response body lost its const (3.1). | - const
response-body-const-changed | error | response | oasdiff | values | The response body's const changed (3.1). | const: v1 -> v2
response-body-default-value-added | info | response | oasdiff | values | The response body gained a default. | + default
response-body-default-value-removed | info | response | oasdiff | values | The response body lost its default. | - default
response-body-default-value-changed | info | response | oasdiff | values | The response body's default changed. | a -> b
response-body-max-increased | error | response | oasdiff | bounds | The response body's maximum increased (or was removed). | 10 -> 20
response-body-exclusive-max-increased | error | response | oasdiff | bounds | The response body's exclusiveMaximum increased (or was removed). | 10 -> 20
response-body-max-length-increased | error | response | oasdiff | bounds | The response body's maxLength increased. | 32 -> 64
response-body-max-length-unset | error | response | oasdiff | bounds | The response body's maxLength was removed. | - maxLength
response-body-min-decreased | error | response | oasdiff | bounds | The response body's minimum decreased (or was removed). | 5 -> 1
response-body-exclusive-min-decreased | error | response | oasdiff | bounds | The response body's exclusiveMinimum decreased (or was removed). | 5 -> 0
response-body-min-items-decreased | error | response | oasdiff | bounds | The response body's minItems decreased. | 2 -> 1
response-body-min-items-unset | error | response | oasdiff | bounds | The response body's minItems was removed. | - minItems
response-body-min-length-decreased | error | response | oasdiff | bounds | The response body's minLength decreased (or was removed). | 3 -> 1
response-body-max-items-increased | error | response | waybill | bounds | The response body's maxItems increased (oasdiff has no response maxItems check). | 50 -> 100
response-body-max-items-unset | error | response | waybill | bounds | The response body's maxItems was removed (oasdiff has no response maxItems check). | - maxItems
response-body-one-of-added | error | response | oasdiff | composition | A oneOf member was added to the response body. | oneOf: [A] -> [A, B]
response-body-one-of-removed | info | response | oasdiff | composition | A oneOf member was removed from the response body. | oneOf: [A, B] -> [A]
response-body-any-of-added | info | response | oasdiff | composition | An anyOf member was added to the response body. | anyOf: [A] -> [A, B]
response-body-any-of-removed | info | response | oasdiff | composition | An anyOf member was removed from the response body. | anyOf: [A, B] -> [A]
response-body-all-of-added | info | response | oasdiff | composition | An allOf member was added to the response body. | allOf: [A] -> [A, B]
response-body-all-of-removed | info | response | oasdiff | composition | An allOf member was removed from the response body. | allOf: [A, B] -> [A]
response-body-wrapped-in-one-of | error | response | oasdiff | composition | The response body was wrapped in a oneOf with other members (callers may receive the new shapes). | Item -> oneOf: [Item, Pallet]
response-body-discriminator-added | info | response | oasdiff | composition | The response body gained a discriminator. | + discriminator
response-body-discriminator-removed | info | response | oasdiff | composition | The response body lost its discriminator. | - discriminator
response-body-discriminator-property-name-changed | info | response | oasdiff | composition | The response body discriminator's propertyName changed. | kind -> type
response-body-discriminator-mapping-added | info | response | oasdiff | composition | A discriminator mapping entry was added. | + mapping.x
response-body-discriminator-mapping-deleted | info | response | oasdiff | composition | A discriminator mapping entry was removed. | - mapping.x
response-body-discriminator-mapping-changed | info | response | oasdiff | composition | A discriminator mapping entry now points elsewhere. | x: A -> B
response-body-prefix-items-added | error | response | oasdiff | structure | prefixItems were added to the response body (3.1). | + prefixItems
response-body-prefix-items-removed | info | response | oasdiff | structure | prefixItems were removed from the response body (3.1). | - prefixItems
response-body-if-added | info | response | oasdiff | structure | An if subschema was added to the response body (3.1). | + if
response-body-if-removed | error | response | oasdiff | structure | An if subschema was removed from the response body (3.1). | - if
response-body-then-added | info | response | oasdiff | structure | A then subschema was added to the response body (3.1). | + then
response-body-then-removed | error | response | oasdiff | structure | A then subschema was removed from the response body (3.1). | - then
response-body-else-added | info | response | oasdiff | structure | An else subschema was added to the response body (3.1). | + else
response-body-else-removed | error | response | oasdiff | structure | An else subschema was removed from the response body (3.1). | - else
response-body-contains-added | info | response | oasdiff | structure | A contains subschema was added to the response body (3.1). | + contains
response-body-contains-removed | error | response | oasdiff | structure | A contains subschema was removed from the response body (3.1). | - contains
response-body-min-contains-increased | info | response | oasdiff | bounds | The response body's minContains increased. | 1 -> 2
response-body-min-contains-decreased | error | response | oasdiff | bounds | The response body's minContains decreased. | 2 -> 1
response-body-max-contains-increased | error | response | oasdiff | bounds | The response body's maxContains increased. | 2 -> 3
response-body-max-contains-decreased | info | response | oasdiff | bounds | The response body's maxContains decreased. | 3 -> 2
response-body-dependent-required-added | info | response | oasdiff | structure | A dependentRequired entry was added to the response body (3.1). | + dependentRequired.a
response-body-dependent-required-removed | error | response | oasdiff | structure | A dependentRequired entry was removed from the response body (3.1). | - dependentRequired.a
response-body-dependent-required-changed | error | response | oasdiff | structure | A dependentRequired entry of the response body changed (3.1). | a: [b] -> [c]
response-body-dependent-schema-added | info | response | oasdiff | structure | A dependentSchemas entry was added to the response body (3.1). | + dependentSchemas.a
response-body-dependent-schema-removed | error | response | oasdiff | structure | A dependentSchemas entry was removed from the response body (3.1). | - dependentSchemas.a
response-body-pattern-property-added | info | response | oasdiff | structure | A patternProperties entry was added to the response body. | + patternProperties.^x-
response-body-pattern-property-removed | error | response | oasdiff | structure | A patternProperties entry was removed from the response body. | - patternProperties.^x-
response-body-property-names-added | info | response | oasdiff | structure | A propertyNames schema was added to the response body (3.1). | + propertyNames
response-body-property-names-removed | error | response | oasdiff | structure | A propertyNames schema was removed from the response body (3.1). | - propertyNames
response-body-unevaluated-items-added | info | response | oasdiff | structure | unevaluatedItems was added to the response body (3.1). | + unevaluatedItems: false
response-body-unevaluated-items-removed | error | response | oasdiff | structure | unevaluatedItems was removed from the response body (3.1). | - unevaluatedItems
response-body-unevaluated-properties-added | info | response | oasdiff | structure | unevaluatedProperties was added to the response body (3.1). | + unevaluatedProperties: false
response-body-unevaluated-properties-removed | error | response | oasdiff | structure | unevaluatedProperties was removed from the response body (3.1). | - unevaluatedProperties
response-body-content-schema-added | info | response | oasdiff | structure | A contentSchema was added to the response body (3.1). | + contentSchema
response-body-content-schema-removed | error | response | oasdiff | structure | A contentSchema was removed from the response body (3.1). | - contentSchema
response-body-content-media-type-changed | error | response | oasdiff | structure | The response body's contentMediaType changed (3.1). | image/png -> image/jpeg
response-body-content-encoding-changed | error | response | oasdiff | structure | The response body's contentEncoding changed (3.1). | base64 -> base32
# the not keyword (oasdiff has no check for it)
request-body-not-added | error | request | waybill | composition | A not subschema was added to the request body: values it matches are now rejected. | + not: {enum: [CANCELLED]}
request-body-not-removed | info | request | waybill | composition | The request body's not subschema was removed: it accepts more. | - not
request-body-not-changed | warning | request | waybill | composition | The request body's not subschema changed: values it newly matches are rejected. | not: {enum: [A]} -> not: {enum: [A, B]}
request-property-not-added | error | request | waybill | composition | A not subschema was added to a request property. | + not: {enum: [CANCELLED]}
request-property-not-removed | info | request | waybill | composition | A request property's not subschema was removed. | - not
request-property-not-changed | warning | request | waybill | composition | A request property's not subschema changed. | not: {enum: [A]} -> not: {enum: [A, B]}
response-body-not-added | info | response | waybill | composition | A not subschema was added to the response body: it holds fewer values. | + not
response-body-not-removed | error | response | waybill | composition | The response body's not subschema was removed: values callers never saw may appear. | - not: {enum: [CANCELLED]}
response-body-not-changed | warning | response | waybill | composition | The response body's not subschema changed: values it no longer matches may appear. | not: {enum: [A, B]} -> not: {enum: [A]}
response-property-not-added | info | response | waybill | composition | A not subschema was added to a response property. | + not
response-property-not-removed | error | response | waybill | composition | A response property's not subschema was removed. | - not: {enum: [CANCELLED]}
response-property-not-changed | warning | response | waybill | composition | A response property's not subschema changed. | not: {enum: [A, B]} -> not: {enum: [A]}
# object-valued request headers
new-required-request-header-property | error | request | oasdiff | parameters | A required property was added to an object-valued request header. | + X-Context.site (required)
request-header-property-became-required | error | request | oasdiff | required-ness | A property of an object-valued request header became required. | required: [] -> [site]
request-header-property-became-enum | error | request | oasdiff | enums | A property of an object-valued request header was restricted to an enum. | + enum: [EU, US]
# media-type names
response-media-type-name-changed | info | response | oasdiff | media-types | A response media type was renamed to one naming the same type (parameters or case differ). | application/json -> application/json; charset=utf-8
response-media-type-name-generalized | error | response | oasdiff | media-types | A response media type was replaced by a range covering it: callers may receive types they cannot parse. | application/json -> application/*
response-media-type-name-specialized | info | response | oasdiff | media-types | A response media-type range was replaced by a type it covers. | application/* -> application/json
# object size bounds (oasdiff has no check for them)
request-body-max-properties-set | warning | request | waybill | bounds | The request body's maxProperties was set (oasdiff has no maxProperties check). | + maxProperties: 20
request-body-max-properties-decreased | error | request | waybill | bounds | The request body's maxProperties decreased: objects callers send may now be rejected. | maxProperties: 20 -> 10
request-body-max-properties-increased | info | request | waybill | bounds | The request body's maxProperties increased or was removed. | maxProperties: 10 -> 20
request-body-min-properties-set | warning | request | waybill | bounds | The request body's minProperties was set (oasdiff has no minProperties check). | + minProperties: 1
request-body-min-properties-increased | error | request | waybill | bounds | The request body's minProperties increased. | minProperties: 1 -> 2
request-body-min-properties-decreased | info | request | waybill | bounds | The request body's minProperties decreased or was removed. | minProperties: 2 -> 1
request-property-max-properties-set | warning | request | waybill | bounds | A request object property's maxProperties was set (oasdiff has no maxProperties check). | + maxProperties: 20
request-property-max-properties-decreased | error | request | waybill | bounds | A request object property's maxProperties decreased: objects callers send may now be rejected. | maxProperties: 20 -> 10
request-property-max-properties-increased | info | request | waybill | bounds | A request object property's maxProperties increased or was removed. | maxProperties: 10 -> 20
request-property-min-properties-set | warning | request | waybill | bounds | A request object property's minProperties was set (oasdiff has no minProperties check). | + minProperties: 1
request-property-min-properties-increased | error | request | waybill | bounds | A request object property's minProperties increased. | minProperties: 1 -> 2
request-property-min-properties-decreased | info | request | waybill | bounds | A request object property's minProperties decreased or was removed. | minProperties: 2 -> 1
response-body-max-properties-increased | error | response | waybill | bounds | The response body's maxProperties increased: callers may receive larger objects. | maxProperties: 10 -> 20
response-body-max-properties-unset | error | response | waybill | bounds | The response body's maxProperties was removed. | - maxProperties
response-body-min-properties-decreased | error | response | waybill | bounds | The response body's minProperties decreased. | minProperties: 2 -> 1
response-body-min-properties-unset | error | response | waybill | bounds | The response body's minProperties was removed. | - minProperties
response-property-max-properties-increased | error | response | waybill | bounds | A response object property's maxProperties increased: callers may receive larger objects. | maxProperties: 10 -> 20
response-property-max-properties-unset | error | response | waybill | bounds | A response object property's maxProperties was removed. | - maxProperties
response-property-min-properties-decreased | error | response | waybill | bounds | A response object property's minProperties decreased. | minProperties: 2 -> 1
response-property-min-properties-unset | error | response | waybill | bounds | A response object property's minProperties was removed. | - minProperties
# uniqueItems, multipleOf and parameter serialization (oasdiff has no check for them)
request-body-unique-items-added | error | request | waybill | bounds | The request body (an array) gained uniqueItems: arrays with duplicates are rejected. | + uniqueItems: true
request-property-unique-items-added | error | request | waybill | bounds | A request array property gained uniqueItems. | + uniqueItems: true
response-body-unique-items-removed | error | response | waybill | bounds | The response body (an array) lost uniqueItems: callers may receive duplicates. | - uniqueItems: true
response-property-unique-items-removed | error | response | waybill | bounds | A response array property lost uniqueItems. | - uniqueItems: true
request-body-multiple-of-narrowed | error | request | waybill | bounds | The request body's multipleOf now excludes values it allowed. | multipleOf: 0.01 -> 0.5
request-property-multiple-of-narrowed | error | request | waybill | bounds | A request property's multipleOf now excludes values it allowed (set, or not a divisor of the old one). | multipleOf: 1 -> 5
response-body-multiple-of-widened | error | response | waybill | bounds | The response body's multipleOf now allows values it excluded. | multipleOf: 5 -> 1
response-property-multiple-of-widened | error | response | waybill | bounds | A response property's multipleOf now allows values it excluded (removed, or the old one is not a multiple of it). | multipleOf: 0.5 -> 0.01
request-parameter-style-changed | error | request | waybill | parameters | A parameter's serialization (style or explode, defaults included) changed: callers encode it the old way. | ?ids=a&ids=b -> ?ids=a,b (explode: true -> false)
# response properties
response-required-property-removed | error | response | oasdiff | responses | A required response property was removed. | - properties.id (required)
response-optional-property-removed | warning | response | oasdiff | responses | An optional response property was removed. | - properties.note
response-required-write-only-property-removed | info | response | oasdiff | responses | A required writeOnly property was removed from a response schema. | - properties.secret (writeOnly)
response-optional-write-only-property-removed | info | response | oasdiff | responses | An optional writeOnly property was removed from a response schema. | - properties.secret (writeOnly)
response-required-write-only-property-added | info | response | oasdiff | responses | A required writeOnly property was added to a response schema. | + properties.secret (writeOnly)
response-optional-write-only-property-added | info | response | oasdiff | responses | An optional writeOnly property was added to a response schema. | + properties.secret (writeOnly)
response-write-only-property-became-required | info | response | oasdiff | required-ness | A writeOnly response property became required. | required: [] -> [secret]
response-required-property-added | info | response | oasdiff | responses | A required property was added to a response. | + properties.site (required)
response-optional-property-added | info | response | oasdiff | responses | An optional property was added to a response. | + properties.note
response-property-became-optional | error | response | oasdiff | required-ness | A response property is no longer required (it may now be absent). | required: [id] -> []
response-write-only-property-became-optional | info | response | oasdiff | required-ness | A writeOnly response property is no longer required. | required: [secret] -> []
response-property-became-required | info | response | oasdiff | required-ness | A response property became required. | required: [] -> [note]
response-required-property-became-not-write-only | warning | response | oasdiff | required-ness | A required response property is no longer writeOnly (it now appears in responses). | writeOnly: true -> false
response-required-property-became-write-only | info | response | oasdiff | required-ness | A required response property became writeOnly. | + writeOnly: true
response-optional-property-became-write-only | info | response | oasdiff | required-ness | An optional response property became writeOnly. | + writeOnly: true
response-optional-property-became-not-write-only | info | response | oasdiff | required-ness | An optional response property is no longer writeOnly. | writeOnly: true -> false
response-property-type-changed | error | response | oasdiff | types | A response property's type or format changed incompatibly. | type: string -> integer
response-property-type-generalized | error | response | oasdiff | types | A response property's type or format now allows more values. | format: int32 -> int64
response-property-type-specialized | info | response | oasdiff | types | A response property's type or format now allows fewer values. | number -> integer
response-property-list-of-types-widened | error | response | oasdiff | types | A type was added to a response property's type list (3.1). | [string] -> [string, integer]
response-property-list-of-types-narrowed | info | response | oasdiff | types | A type was removed from a response property's type list (3.1). | [string, integer] -> [string]
response-property-became-nullable | error | response | oasdiff | nullability | A response property became nullable. | nullable: true
response-property-became-not-nullable | info | response | oasdiff | nullability | A response property is no longer nullable. | type: [string, "null"] -> string
response-property-enum-value-added | warning | response | oasdiff | enums | A value was added to a response enum (callers may not handle it). | [a] -> [a, b]
response-property-enum-value-removed | info | response | oasdiff | enums | A value was removed from a response enum. | [a, b] -> [a]
response-property-const-added | info | response | oasdiff | values | A response property gained a const (3.1). | + const
response-property-const-removed | error | response | oasdiff | values | A response property lost its const (3.1). | - const
response-property-const-changed | error | response | oasdiff | values | A response property's const changed (3.1). | v1 -> v2
response-property-default-value-added | info | response | oasdiff | values | A response property gained a default. | + default
response-property-default-value-removed | info | response | oasdiff | values | A response property lost its default. | - default
response-property-default-value-changed | info | response | oasdiff | values | A response property's default changed. | 1 -> 2
response-property-max-increased | error | response | oasdiff | bounds | A response property's maximum increased (or was removed). | 10 -> 20
response-property-exclusive-max-increased | error | response | oasdiff | bounds | A response property's exclusiveMaximum increased (or was removed). | 10 -> 20
response-property-max-length-increased | error | response | oasdiff | bounds | A response property's maxLength increased. | 32 -> 64
response-property-max-length-unset | error | response | oasdiff | bounds | A response property's maxLength was removed. | - maxLength
response-property-min-decreased | error | response | oasdiff | bounds | A response property's minimum decreased (or was removed). | 5 -> 1
response-property-exclusive-min-decreased | error | response | oasdiff | bounds | A response property's exclusiveMinimum decreased (or was removed). | 5 -> 0
response-property-min-items-decreased | error | response | oasdiff | bounds | A response property's minItems decreased. | 2 -> 1
response-property-min-items-unset | error | response | oasdiff | bounds | A response property's minItems was removed. | - minItems
response-property-min-length-decreased | error | response | oasdiff | bounds | A response property's minLength decreased (or was removed). | 3 -> 1
response-property-max-items-increased | error | response | waybill | bounds | A response array property's maxItems increased (oasdiff has no response maxItems check). | 50 -> 100
response-property-max-items-unset | error | response | waybill | bounds | A response array property's maxItems was removed (oasdiff has no response maxItems check). | - maxItems
response-property-pattern-added | info | response | oasdiff | patterns | A response property gained a pattern. | + pattern
response-property-pattern-changed | info | response | oasdiff | patterns | A response property's pattern changed. | ^[A-Z]+$ -> ^[A-Z0-9]+$
response-property-pattern-removed | info | response | oasdiff | patterns | A response property lost its pattern. | - pattern
response-property-one-of-added | error | response | oasdiff | composition | A oneOf member was added to a response property. | oneOf: [A] -> [A, B]
response-property-one-of-removed | info | response | oasdiff | composition | A oneOf member was removed from a response property. | oneOf: [A, B] -> [A]
response-property-any-of-added | info | response | oasdiff | composition | An anyOf member was added to a response property. | anyOf: [A] -> [A, B]
response-property-any-of-removed | info | response | oasdiff | composition | An anyOf member was removed from a response property. | anyOf: [A, B] -> [A]
response-property-all-of-added | info | response | oasdiff | composition | An allOf member was added to a response property. | allOf: [A] -> [A, B]
response-property-all-of-removed | info | response | oasdiff | composition | An allOf member was removed from a response property. | allOf: [A, B] -> [A]
response-property-discriminator-added | info | response | oasdiff | composition | A response property gained a discriminator. | + discriminator
response-property-discriminator-removed | info | response | oasdiff | composition | A response property lost its discriminator. | - discriminator
response-property-discriminator-property-name-changed | info | response | oasdiff | composition | A response property discriminator's propertyName changed. | kind -> type
response-property-discriminator-mapping-added | info | response | oasdiff | composition | A discriminator mapping entry was added. | + mapping.x
response-property-discriminator-mapping-deleted | info | response | oasdiff | composition | A discriminator mapping entry was removed. | - mapping.x
response-property-discriminator-mapping-changed | info | response | oasdiff | composition | A discriminator mapping entry now points elsewhere. | x: A -> B
response-property-prefix-items-added | error | response | oasdiff | structure | prefixItems were added to a response property (3.1). | + prefixItems
response-property-prefix-items-removed | info | response | oasdiff | structure | prefixItems were removed from a response property (3.1). | - prefixItems
response-property-if-added | info | response | oasdiff | structure | An if subschema was added to a response property (3.1). | + if
response-property-if-removed | error | response | oasdiff | structure | An if subschema was removed from a response property (3.1). | - if
response-property-then-added | info | response | oasdiff | structure | A then subschema was added to a response property (3.1). | + then
response-property-then-removed | error | response | oasdiff | structure | A then subschema was removed from a response property (3.1). | - then
response-property-else-added | info | response | oasdiff | structure | An else subschema was added to a response property (3.1). | + else
response-property-else-removed | error | response | oasdiff | structure | An else subschema was removed from a response property (3.1). | - else
response-property-contains-added | info | response | oasdiff | structure | A contains subschema was added to a response property (3.1). | + contains
response-property-contains-removed | error | response | oasdiff | structure | A contains subschema was removed from a response property (3.1). | - contains
response-property-min-contains-increased | info | response | oasdiff | bounds | A response property's minContains increased. | 1 -> 2
response-property-min-contains-decreased | error | response | oasdiff | bounds | A response property's minContains decreased. | 2 -> 1
response-property-max-contains-increased | error | response | oasdiff | bounds | A response property's maxContains increased. | 2 -> 3
response-property-max-contains-decreased | info | response | oasdiff | bounds | A response property's maxContains decreased. | 3 -> 2
response-property-dependent-required-added | info | response | oasdiff | structure | A dependentRequired entry was added to a response property (3.1). | + dependentRequired.a
response-property-dependent-required-removed | error | response | oasdiff | structure | A dependentRequired entry was removed from a response property (3.1). | - dependentRequired.a
response-property-dependent-required-changed | error | response | oasdiff | structure | A dependentRequired entry of a response property changed (3.1). | a: [b] -> [c]
response-property-dependent-schema-added | info | response | oasdiff | structure | A dependentSchemas entry was added to a response property (3.1). | + dependentSchemas.a
response-property-dependent-schema-removed | error | response | oasdiff | structure | A dependentSchemas entry was removed from a response property (3.1). | - dependentSchemas.a
response-property-pattern-property-added | info | response | oasdiff | structure | A patternProperties entry was added to a response property. | + patternProperties.^x-
response-property-pattern-property-removed | error | response | oasdiff | structure | A patternProperties entry was removed from a response property. | - patternProperties.^x-
response-property-property-names-added | info | response | oasdiff | structure | A propertyNames schema was added to a response property (3.1). | + propertyNames
response-property-property-names-removed | error | response | oasdiff | structure | A propertyNames schema was removed from a response property (3.1). | - propertyNames
response-property-unevaluated-items-added | info | response | oasdiff | structure | unevaluatedItems was added to a response property (3.1). | + unevaluatedItems: false
response-property-unevaluated-items-removed | error | response | oasdiff | structure | unevaluatedItems was removed from a response property (3.1). | - unevaluatedItems
response-property-unevaluated-properties-added | info | response | oasdiff | structure | unevaluatedProperties was added to a response property (3.1). | + unevaluatedProperties: false
response-property-unevaluated-properties-removed | error | response | oasdiff | structure | unevaluatedProperties was removed from a response property (3.1). | - unevaluatedProperties
response-property-content-schema-added | info | response | oasdiff | structure | A contentSchema was added to a response property (3.1). | + contentSchema
response-property-content-schema-removed | error | response | oasdiff | structure | A contentSchema was removed from a response property (3.1). | - contentSchema
response-property-content-media-type-changed | error | response | oasdiff | structure | A response property's contentMediaType changed (3.1). | image/png -> image/jpeg
response-property-content-encoding-changed | error | response | oasdiff | structure | A response property's contentEncoding changed (3.1). | base64 -> base32
"""  # noqa: E501 - one rule per line reads better than wrapped rows


def _parse(table: str) -> Mapping[str, Rule]:
    rules: dict[str, Rule] = {}
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rule_id, level, direction, origin, family, description, example = (
            cell.strip() for cell in line.split(" | ")
        )
        if rule_id in rules:
            raise ValueError(f"duplicate rule id {rule_id}")
        rules[rule_id] = Rule(
            rule_id, Level(level), Direction(direction), origin, family, description, example
        )
    return rules


RULES: Mapping[str, Rule] = _parse(_TABLE)


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError for an unknown id)."""
    return RULES[rule_id]
