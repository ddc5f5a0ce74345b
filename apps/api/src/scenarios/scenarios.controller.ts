import { Controller, Get } from '@nestjs/common';
import { ScenariosService } from './scenarios.service';

@Controller('scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  /** The bundled scenarios: name, title, description and sizes. */
  @Get()
  list() {
    return this.scenarios.list();
  }
}
