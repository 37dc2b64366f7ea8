import { Type, type TSchema } from 'pristine-kernel';

/**
 * Schema helpers shared by the wire types. Request models of the Python SDK forbid unknown fields
 * (pydantic `extra="forbid"`), response models ignore them; `strict` marks the former.
 */
export const strict = { additionalProperties: false } as const;

/** `T | null`. */
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * An optional field that some SDK version sends as an explicit `null`: 0.7.0 dumps with
 * `exclude_unset=True`, so a `None` the SDK passes explicitly goes out as `null`.
 */
export const maybe = <T extends TSchema>(schema: T) => Type.Optional(nullable(schema));

/** The constant `type` discriminator: never sent by 0.7.0, always sent by newer SDKs. */
export const typeTag = <N extends string>(name: N) => ({ type: Type.Optional(Type.Literal(name)) });

/** A non-negative integer id or counter. */
export const Counter = () => Type.Integer({ minimum: 0 });
