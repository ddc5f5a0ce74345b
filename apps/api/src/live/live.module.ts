import { type DynamicModule, Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { StorageModule } from '../storage/storage.module';
import { SweepsModule } from '../sweeps/sweeps.module';
import { LiveGateway } from './live.gateway';
import { LiveSubscriber } from './live.subscriber';

/** Live frames, presence and commands over socket.io (ROLE=api or all): the gateway and its pub/sub. */
@Module({})
export class LiveModule {
  static forRole(role: 'api' | 'all'): DynamicModule {
    return {
      module: LiveModule,
      imports: [StorageModule, ClustersModule.forRole(role), SweepsModule.forRole(role)],
      providers: [LiveGateway, LiveSubscriber],
    };
  }
}
