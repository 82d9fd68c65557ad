import { expectTypeOf, test } from 'vitest'

import type { ArtifactId, ContentKey, WorkspaceId } from './ids.js'
import { toWorkspaceId } from './ids.js'

test('branded ids do not mix', () => {
  expectTypeOf<ArtifactId>().not.toEqualTypeOf<WorkspaceId>()
  expectTypeOf<string>().not.toExtend<WorkspaceId>()
  expectTypeOf<ContentKey>().not.toExtend<ArtifactId>()
  expectTypeOf(toWorkspaceId('default')).toEqualTypeOf<WorkspaceId>()
  expectTypeOf<WorkspaceId>().toExtend<string>()
})
