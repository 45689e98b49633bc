/**
 * Helpers for acknowledging cdk-nag findings. A finding about one value of a policy (IAM5) is named
 * `Rule[Resource::<value>]`, where cdk-nag writes the value's CloudFormation form flat: a Ref as
 * `<Name>`, a GetAtt as `<Name.Attribute>`, an Fn::Join as its parts joined. `nagValue` writes a value
 * the same way, so an acknowledgment names exactly the finding it answers.
 */
import type { Stack } from 'aws-cdk-lib';

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flatten).join(join[0]);
    }
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
    if ('Ref' in record) return `<${flatten(record['Ref'])}>`;
  }
  return JSON.stringify(node);
}

/** `value` (a string that may hold tokens of `stack`) as cdk-nag names it in finding ids. */
export function nagValue(stack: Stack, value: string): string {
  return flatten(stack.resolve(value));
}
