import { Module } from '@nestjs/common';
import { ClusterStateRepository } from './cluster-state.repository';
import { ExerciseRepository } from './exercise.repository';
import { FrameHistoryRepository } from './frame-history.repository';
import { PresenceRepository } from './presence.repository';

/** Every Redis read and write of the API's own data, one repository per concern (keys.ts names the keys). */
const repositories = [
  ClusterStateRepository,
  FrameHistoryRepository,
  PresenceRepository,
  ExerciseRepository,
];

/** The repositories, for every feature module to import (one instance of each per application). */
@Module({ providers: repositories, exports: repositories })
export class StorageModule {}
